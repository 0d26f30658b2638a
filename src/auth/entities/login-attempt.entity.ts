import { Entity, Index } from 'typeorm';
import { BoolColumn, IdColumn, InstantColumn, VarcharColumn } from '../../database/columns';

/** Kept in the database (not memory) so throttling holds across API nodes. */
@Entity({ name: 'login_attempts' })
@Index('ix_login_attempts_username', ['username', 'attemptedAt'])
@Index('ix_login_attempts_address', ['address', 'attemptedAt'])
export class LoginAttemptEntity {
  @IdColumn() id!: string;
  @VarcharColumn(64) username!: string;
  @VarcharColumn(64) address!: string;
  @BoolColumn() succeeded!: boolean;
  @InstantColumn() attemptedAt!: Date;
}
