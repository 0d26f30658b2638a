import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col, foreignKey, index } from './helpers';

export class Foundation1764460800000 implements MigrationInterface {
  name = 'Foundation1764460800000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'org_units',
        columns: [
          col.id(),
          col.varchar('code', 32),
          col.varchar('name', 200),
          col.ref('parent_id', true),
          col.varchar('path', 400),
          col.int('level'),
          col.instant('created_at'),
        ],
        indices: [index('uq_org_units_code', ['code'], true), index('ix_org_units_path', ['path'])],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          col.id(),
          col.varchar('username', 64),
          col.varchar('display_name', 200),
          col.varchar('password_hash', 255),
          col.varchar('role', 32),
          col.ref('partner_id', true),
          col.ref('org_unit_id', true),
          col.bool('active'),
          col.version(),
          col.instant('created_at'),
        ],
        indices: [index('uq_users_username', ['username'], true)],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'refresh_tokens',
        columns: [
          col.id(),
          col.ref('user_id'),
          col.ref('family_id'),
          col.varchar('token_hash', 64),
          col.instant('expires_at'),
          col.instant('used_at', true),
          col.instant('revoked_at', true),
          col.instant('created_at'),
        ],
        indices: [
          index('uq_refresh_tokens_hash', ['token_hash'], true),
          index('ix_refresh_tokens_family', ['family_id']),
          index('ix_refresh_tokens_user', ['user_id']),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          col.id(),
          col.varchar('name', 100),
          col.varchar('prefix', 16),
          col.varchar('key_hash', 64),
          col.varchar('role', 32),
          col.json('scopes'),
          col.ref('partner_id', true),
          col.ref('created_by_id'),
          col.instant('created_at'),
          col.instant('last_used_at', true),
          col.instant('revoked_at', true),
        ],
        indices: [index('uq_api_keys_prefix', ['prefix'], true)],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'login_attempts',
        columns: [
          col.id(),
          col.varchar('username', 64),
          col.varchar('address', 64),
          col.bool('succeeded'),
          col.instant('attempted_at'),
        ],
        indices: [
          index('ix_login_attempts_username', ['username', 'attempted_at']),
          index('ix_login_attempts_address', ['address', 'attempted_at']),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_records',
        columns: [
          col.id(),
          col.varchar('actor_id', 36, true),
          col.varchar('actor_name', 100),
          col.varchar('action', 64),
          col.varchar('entity_type', 64),
          col.varchar('entity_id', 64),
          col.json('before', true),
          col.json('after', true),
          col.varchar('request_id', 64, true),
          col.instant('occurred_at'),
        ],
        indices: [
          index('ix_audit_records_entity', ['entity_type', 'entity_id']),
          index('ix_audit_records_actor', ['actor_id']),
          index('ix_audit_records_action', ['action']),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'jobs',
        columns: [
          col.id(),
          col.varchar('type', 64),
          col.varchar('status', 16),
          col.varchar('idempotency_key', 128, true),
          col.int('processed'),
          col.int('total', true),
          col.json('payload', true),
          col.json('result', true),
          col.varchar('error', 1000, true),
          col.ref('created_by_id', true),
          col.instant('created_at'),
          col.instant('started_at', true),
          col.instant('finished_at', true),
        ],
        indices: [
          index('ix_jobs_type_status', ['type', 'status']),
          index('uq_jobs_idempotency', ['type', 'idempotency_key'], true),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'partners',
        columns: [
          col.id(),
          col.varchar('code', 32),
          col.varchar('kind', 40),
          col.varchar('name_zh', 200),
          col.varchar('name_en', 200, true),
          col.varchar('uscc', 18, true),
          col.varchar('status', 20),
          col.ref('org_unit_id'),
          col.ref('relationship_manager_id', true),
          col.varchar('tier', 20, true),
          col.varchar('risk_rating', 20, true),
          col.bool('related_party'),
          col.bool('blacklisted'),
          col.varchar('blacklist_reason', 500, true),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [
          index('uq_partners_code', ['code'], true),
          index('uq_partners_uscc', ['uscc'], true),
          index('ix_partners_org_unit', ['org_unit_id']),
          index('ix_partners_status', ['status']),
          index('ix_partners_kind', ['kind']),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'partner_contacts',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.varchar('name', 100),
          col.varchar('role', 100, true),
          col.varchar('phone', 32, true),
          col.varchar('email', 200, true),
          col.int('position'),
        ],
        indices: [index('ix_partner_contacts_partner', ['partner_id'])],
        foreignKeys: [foreignKey('fk_partner_contacts_partner', ['partner_id'], 'partners', 'CASCADE')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'partner_qualifications',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.varchar('type', 64),
          col.varchar('number', 64),
          col.date('expires_on', true),
        ],
        indices: [index('ix_partner_qualifications_partner', ['partner_id'])],
        foreignKeys: [foreignKey('fk_partner_qualifications_partner', ['partner_id'], 'partners', 'CASCADE')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'agreements',
        columns: [
          col.id(),
          col.ref('partner_id'),
          col.varchar('code', 40),
          col.varchar('title', 200),
          col.json('cooperation_modes'),
          col.date('signed_on', true),
          col.date('valid_from'),
          col.date('valid_to'),
          col.varchar('status', 20),
          col.json('documents'),
          col.version(),
          col.instant('created_at'),
          col.instant('updated_at'),
        ],
        indices: [index('uq_agreements_code', ['code'], true), index('ix_agreements_partner', ['partner_id'])],
        foreignKeys: [foreignKey('fk_agreements_partner', ['partner_id'], 'partners', 'RESTRICT')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'agreements',
      'partner_qualifications',
      'partner_contacts',
      'partners',
      'jobs',
      'audit_records',
      'login_attempts',
      'api_keys',
      'refresh_tokens',
      'users',
      'org_units',
    ]) {
      await queryRunner.dropTable(table);
    }
  }
}
