import { Money } from '../common/money';
import { MoneyModel } from '../graphql/scalars';
import { SettlementStatementEntity, SettlementStatementLineEntity } from './entities/settlement.entities';
import { Statement, StatementLine } from './models/settlement.models';
import { StatementStatus } from './settlement.enums';

export function toStatement(s: SettlementStatementEntity): Statement {
  const m = (minor: bigint): MoneyModel => MoneyModel.of(Money.ofMinor(minor, s.currency));
  return {
    id: s.id,
    number: s.number,
    periodId: s.periodId,
    partnerId: s.partnerId,
    status: s.status as StatementStatus,
    linesTotal: m(s.linesTotal),
    net: m(s.net),
    tax: m(s.tax),
    gross: m(s.gross),
    taxRate: s.taxRate,
    pricesIncludeTax: s.pricesIncludeTax,
    accrualCount: s.accrualCount,
    preparedById: s.preparedById,
    preparedAt: s.preparedAt,
    approvedById: s.approvedById,
    approvedAt: s.approvedAt,
    rejectedById: s.rejectedById,
    rejectReason: s.rejectReason,
    version: s.version,
    createdAt: s.createdAt,
    downloads: {
      csv: `/statements/${s.id}/export.csv`,
      xlsx: `/statements/${s.id}/export.xlsx`,
      pdf: `/statements/${s.id}/export.pdf`,
    },
  };
}

export function toStatementLine(l: SettlementStatementLineEntity): StatementLine {
  return {
    position: l.position,
    programId: l.programId,
    programName: l.programName,
    ruleId: l.ruleId,
    accrualCount: l.accrualCount,
    amount: MoneyModel.of(Money.ofMinor(l.amount, l.currency)),
  };
}
