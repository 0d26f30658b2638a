import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../auth/actor';
import { applyPartnerScope } from '../auth/access';
import { UsersService } from '../auth/users.service';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { badInput, conflict, DomainError, notFound } from '../common/domain-error';
import { generateTrackingCode } from '../common/tracking-code';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { updateIfVersion } from '../database/versioned';
import { ConnectionResult, PageArgs, paginate } from '../graphql/connection';
import { chunk } from '../graphql/loaders';
import { PartnersService } from '../partners/partners.service';
import { ProgramEntity } from '../programs/entities/program.entity';
import { ProgramStatus } from '../programs/program.enums';
import { CHANNEL_TRANSITIONS, ChannelStatus } from './channel.enums';
import { checkLandingUrl, checkTrackingCode } from './channel.rules';
import { ChannelsFilter, CreateChannelInput, TransitionChannelInput, UpdateChannelInput } from './dto/channel.inputs';
import { ChannelEntity } from './entities/channel.entity';

@Injectable()
export class ChannelsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
    private readonly partners: PartnersService,
    private readonly users: UsersService,
    private readonly clock: Clock,
  ) {}

  // ---------- reads ----------

  async get(actor: Actor, id: string): Promise<ChannelEntity> {
    const channel = await this.dataSource.getRepository(ChannelEntity).findOneBy({ id });
    if (!channel || !(await this.visible(actor, channel.partnerId))) throw notFound('Channel', id);
    return channel;
  }

  /** A typo (check character mismatch) is BAD_USER_INPUT before any lookup; out-of-scope is NOT_FOUND. */
  async getByTrackingCode(actor: Actor, raw: string, field = 'code'): Promise<ChannelEntity> {
    const code = checkTrackingCode(raw, field);
    const channel = await this.dataSource.getRepository(ChannelEntity).findOneBy({ trackingCode: code });
    if (!channel || !(await this.visible(actor, channel.partnerId))) throw notFound('Channel', code);
    return channel;
  }

  /** For other modules (referral intake): validated lookup without an actor; null when no channel has the code. */
  async resolveByTrackingCode(raw: string, field = 'trackingCode'): Promise<ChannelEntity | null> {
    const code = checkTrackingCode(raw, field);
    return this.dataSource.getRepository(ChannelEntity).findOneBy({ trackingCode: code });
  }

  list(actor: Actor, filter: ChannelsFilter, page: PageArgs): Promise<ConnectionResult<ChannelEntity>> {
    const query = this.dataSource.getRepository(ChannelEntity).createQueryBuilder('c');
    applyPartnerScope(query, actor, 'c.partnerId');
    if (filter.programIds?.length) query.andWhere('c.programId IN (:...programIds)', { programIds: filter.programIds });
    if (filter.partnerIds?.length) query.andWhere('c.partnerId IN (:...partnerIds)', { partnerIds: filter.partnerIds });
    if (filter.types?.length) query.andWhere('c.type IN (:...types)', { types: filter.types });
    if (filter.statuses?.length) query.andWhere('c.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.ownerIds?.length) query.andWhere('c.ownerId IN (:...ownerIds)', { ownerIds: filter.ownerIds });
    return paginate(query, page, (row) => row);
  }

  /** Channels of programs the caller has already been allowed to read (DataLoader batch). */
  async channelsOf(programIds: readonly string[]): Promise<ChannelEntity[]> {
    const rows: ChannelEntity[] = [];
    for (const part of chunk([...new Set(programIds)]))
      rows.push(
        ...(await this.dataSource
          .getRepository(ChannelEntity)
          .find({ where: { programId: In(part) }, order: { id: 'ASC' } })),
      );
    return rows;
  }

  async findByIds(ids: readonly string[]): Promise<ChannelEntity[]> {
    const rows: ChannelEntity[] = [];
    for (const part of chunk([...new Set(ids)]))
      rows.push(...(await this.dataSource.getRepository(ChannelEntity).findBy({ id: In(part) })));
    return rows;
  }

  // ---------- writes ----------

  create(actor: Actor, input: CreateChannelInput): Promise<ChannelEntity> {
    return this.tx.run(async (manager) => {
      const program = await manager.findOneBy(ProgramEntity, { id: input.programId });
      if (!program) throw notFoundAt('Program', input.programId, 'programId');
      await this.requireManageable(manager, actor, program.partnerId, 'Program', program.id, 'programId');
      const programStatus = program.status as ProgramStatus;
      if (programStatus === ProgramStatus.ENDED || programStatus === ProgramStatus.WINDING_DOWN)
        throw conflict('PROGRAM_NOT_OPEN', `A ${program.status} program takes no new channels`, {
          field: 'programId',
          status: program.status,
        });
      const landingUrl = checkLandingUrl(input.landingUrl);
      const ownerId =
        input.ownerId !== undefined ? await this.checkOwner(input.ownerId) : await this.defaultOwner(actor);
      const now = this.clock.now();
      const channel: ChannelEntity = {
        id: newId(),
        programId: program.id,
        partnerId: program.partnerId,
        type: input.type,
        name: input.name.trim(),
        ownerId,
        status: ChannelStatus.ACTIVE,
        trackingCode: await this.freshTrackingCode(manager),
        landingUrl,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await manager.insert(ChannelEntity, channel);
      await this.audit.record(manager, actor, {
        action: 'channel.create',
        entityType: 'Channel',
        entityId: channel.id,
        after: channel,
      });
      return channel;
    });
  }

  update(actor: Actor, input: UpdateChannelInput): Promise<ChannelEntity> {
    return this.tx.run(async (manager) => {
      const before = await this.requireChannel(manager, actor, input.id);
      if ((before.status as ChannelStatus) === ChannelStatus.RETIRED)
        throw conflict('CHANNEL_RETIRED', 'A retired channel cannot be changed', { field: 'id' });
      if (before.version !== input.version)
        throw conflict('STALE_VERSION', `Channel was changed by someone else (version ${before.version})`, {
          field: 'version',
          currentVersion: before.version,
        });
      const after: ChannelEntity = {
        ...before,
        type: input.type ?? before.type,
        name: input.name?.trim() ?? before.name,
        ownerId: input.ownerId !== undefined ? await this.checkOwner(input.ownerId) : before.ownerId,
        landingUrl: input.landingUrl !== undefined ? checkLandingUrl(input.landingUrl) : before.landingUrl,
        version: before.version + 1,
        updatedAt: this.clock.now(),
      };
      await this.saveVersioned(manager, before, after);
      await this.audit.record(manager, actor, {
        action: 'channel.update',
        entityType: 'Channel',
        entityId: before.id,
        before,
        after,
      });
      return after;
    });
  }

  transition(actor: Actor, input: TransitionChannelInput): Promise<ChannelEntity> {
    return this.tx.run(async (manager) => {
      const before = await this.requireChannel(manager, actor, input.id);
      const from = before.status as ChannelStatus;
      if (!CHANNEL_TRANSITIONS[from].includes(input.to))
        throw conflict('CHANNEL_STATUS_TRANSITION', `A channel cannot move from ${from} to ${input.to}`, {
          from,
          to: input.to,
        });
      const after: ChannelEntity = {
        ...before,
        status: input.to,
        version: before.version + 1,
        updatedAt: this.clock.now(),
      };
      await this.saveVersioned(manager, before, after);
      await this.audit.record(manager, actor, {
        action: 'channel.transition',
        entityType: 'Channel',
        entityId: before.id,
        before: { status: from },
        after: { status: input.to, reason: input.reason ?? null },
      });
      return after;
    });
  }

  // ---------- helpers ----------

  private async visible(actor: Actor, partnerId: string): Promise<boolean> {
    const [partner] = await this.partners.findVisibleByIds(actor, [partnerId]);
    return partner !== null && partner !== undefined;
  }

  private async requireChannel(manager: EntityManager, actor: Actor, id: string): Promise<ChannelEntity> {
    const channel = await manager.findOneBy(ChannelEntity, { id });
    if (!channel) throw notFoundAt('Channel', id, 'id');
    await this.requireManageable(manager, actor, channel.partnerId, 'Channel', id, 'id');
    return channel;
  }

  /** NOT_FOUND (naming the channel/program, not the partner) when out of scope; FORBIDDEN when read-only. */
  private async requireManageable(
    manager: EntityManager,
    actor: Actor,
    partnerId: string,
    entity: string,
    id: string,
    field: string,
  ): Promise<void> {
    try {
      await this.partners.requireManageable(manager, actor, partnerId, field);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') throw notFoundAt(entity, id, field);
      throw error;
    }
  }

  /** The caller owns what it creates, when it is a user of this bank. */
  private async defaultOwner(actor: Actor): Promise<string | null> {
    if (actor.kind !== 'user') return null;
    return (await this.users.findById(actor.id))?.id ?? null;
  }

  private async checkOwner(ownerId: string | undefined): Promise<string | null> {
    if (ownerId === undefined) return null;
    const user = await this.users.findById(ownerId);
    if (!user || !user.active) throw badInput('ownerId', 'UNKNOWN_USER');
    return user.id;
  }

  /** 31^8 payloads make a clash rare; the unique index is the final word. */
  private async freshTrackingCode(manager: EntityManager): Promise<string> {
    for (let attempt = 0; attempt < 8; attempt++) {
      const code = generateTrackingCode(9);
      if (!(await manager.existsBy(ChannelEntity, { trackingCode: code }))) return code;
    }
    throw conflict('TRACKING_CODE_EXHAUSTED', 'Could not allocate a unique tracking code');
  }

  private async saveVersioned(manager: EntityManager, before: ChannelEntity, after: ChannelEntity): Promise<void> {
    await updateIfVersion(manager, ChannelEntity, 'Channel', before, {
      type: after.type,
      name: after.name,
      ownerId: after.ownerId,
      status: after.status,
      landingUrl: after.landingUrl,
      version: after.version,
      updatedAt: after.updatedAt,
    });
  }
}

function notFoundAt(entity: string, id: string, field: string): DomainError {
  return new DomainError('NOT_FOUND', `${entity} ${id} not found`, { entity, id, field });
}
