import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { badInput } from '../common/domain-error';
import { newId } from '../database/columns';
import { TransactionService } from '../database/transaction.service';
import { Actor } from './actor';
import { UserEntity } from './entities/user.entity';
import { Role } from './roles';

export interface CreateUserCommand {
  username: string;
  password: string;
  role: Role;
  displayName?: string;
  partnerId?: string | null;
  orgUnitId?: string | null;
}

/** OWASP's argon2id baseline (19 MiB, 2 passes). */
const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class UsersService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionService,
    private readonly audit: AuditService,
  ) {}

  hashPassword(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  verifyPassword(hash: string, password: string): Promise<boolean> {
    return argon2.verify(hash, password);
  }

  findByUsername(username: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOneBy({ username });
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.dataSource.getRepository(UserEntity).findOneBy({ id });
  }

  count(): Promise<number> {
    return this.dataSource.getRepository(UserEntity).count();
  }

  create(actor: Actor | null, command: CreateUserCommand): Promise<UserEntity> {
    return this.tx.run((manager) => this.createIn(manager, actor, command));
  }

  async createIn(manager: EntityManager, actor: Actor | null, command: CreateUserCommand): Promise<UserEntity> {
    if (!/^[a-zA-Z0-9._-]{3,64}$/.test(command.username))
      throw badInput('username', 'must be 3–64 letters, digits, . _ -');
    if (command.password.length < 8) throw badInput('password', 'must be at least 8 characters');
    if (command.role === Role.PARTNER_USER && !command.partnerId)
      throw badInput('partnerId', 'a partner user must be bound to a partner');
    if (command.role !== Role.PARTNER_USER && command.partnerId)
      throw badInput('partnerId', 'only partner users are bound to a partner');
    const user: UserEntity = {
      id: newId(),
      username: command.username,
      displayName: command.displayName ?? command.username,
      passwordHash: await this.hashPassword(command.password),
      role: command.role,
      partnerId: command.partnerId ?? null,
      orgUnitId: command.orgUnitId ?? null,
      active: true,
      version: 1,
      createdAt: new Date(),
    };
    await manager.insert(UserEntity, user);
    const { passwordHash: _omit, ...visible } = user;
    await this.audit.record(manager, actor, {
      action: 'user.create',
      entityType: 'User',
      entityId: user.id,
      after: visible,
    });
    return user;
  }
}
