import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../../auth/decorators';
import { ALL_ROLES, Role } from '../../auth/roles';
import { unauthenticated } from '../../common/domain-error';
import { Money } from '../../common/money';
import { Connection, ConnectionResult, PageArgs } from '../../graphql/connection';
import { GqlContext } from '../../graphql/context';
import { groupByKey } from '../../graphql/loaders';
import { MoneyModel } from '../../graphql/scalars';
import {
  ImportBankFileInput,
  PayoutBatchesFilter,
  PreparePayoutBatchInput,
  RecordInvoiceInput,
  RejectPayoutBatchInput,
  SetPartnerBankAccountInput,
} from './dto/payout.inputs';
import { PayoutEntity } from './entities/payout.entities';
import {
  BankStatementImport,
  Invoice,
  PartnerBankAccount,
  PaymentStatusReportImport,
  Payout,
  PayoutBatch,
} from './models/payout.models';
import { toBankAccount, toInvoice, toPayout, toPayoutBatch } from './payout.mapper';
import { PayoutsService } from './payouts.service';

const PayoutBatchConnection = Connection(PayoutBatch, 'PayoutBatch');
const MAKERS = [Role.ADMIN, Role.FINANCE_MAKER];
const APPROVERS = [Role.ADMIN, Role.FINANCE_APPROVER];
const FINANCE = [Role.ADMIN, Role.FINANCE_MAKER, Role.FINANCE_APPROVER];

function actorOf(ctx: GqlContext): Actor {
  const actor = ctx.req.actor;
  if (!actor) throw unauthenticated();
  return actor;
}

@Resolver(() => PayoutBatch)
@Roles(...ALL_ROLES)
@ApiScopes('settlement:read')
export class PayoutBatchesResolver {
  constructor(private readonly service: PayoutsService) {}

  @Query(() => PayoutBatch, {
    description: 'A payout batch (partner users: one paying them, showing their payouts only)',
  })
  async payoutBatch(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<PayoutBatch> {
    return this.forViewer(actor, toPayoutBatch(await this.service.getBatch(actor, id)));
  }

  @Query(() => PayoutBatchConnection)
  async payoutBatches(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: PayoutBatchesFilter,
  ): Promise<ConnectionResult<PayoutBatch>> {
    const c = await this.service.listBatches(actor, filter ?? {}, page);
    return {
      ...c,
      edges: c.edges.map((e) => ({ cursor: e.cursor, node: this.forViewer(actor, toPayoutBatch(e.node)) })),
    };
  }

  /**
   * Partner and branch-scoped users see a batch through their own payouts only: the XSD errors and the
   * pain.001 link describe the whole batch (other partners' names and accounts), so they are withheld.
   */
  private forViewer(actor: Actor, batch: PayoutBatch): PayoutBatch {
    return this.service.isScoped(actor) ? { ...batch, validationErrors: [], fileUrl: null } : batch;
  }

  @Mutation(() => PayoutBatch, {
    description: 'Approved statements of closed periods with matching invoices and an account on file → PREPARED',
  })
  @Roles(...MAKERS)
  async preparePayoutBatch(
    @CurrentActor() actor: Actor,
    @Args('input') input: PreparePayoutBatchInput,
  ): Promise<PayoutBatch> {
    return toPayoutBatch(await this.service.preparePayoutBatch(actor, input.statementIds));
  }

  @Mutation(() => PayoutBatch, {
    description:
      'PREPARED → APPROVED by an approver who did not prepare it: builds the pain.001 and validates it against the ' +
      'XSD; an invalid file is not released (status INVALID, with validationErrors)',
  })
  @Roles(...APPROVERS)
  async approvePayoutBatch(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<PayoutBatch> {
    return toPayoutBatch(await this.service.approvePayoutBatch(actor, id));
  }

  @Mutation(() => PayoutBatch, {
    description: 'PREPARED → REJECTED with a reason, by an approver who did not prepare it',
  })
  @Roles(...APPROVERS)
  async rejectPayoutBatch(
    @CurrentActor() actor: Actor,
    @Args('input') input: RejectPayoutBatchInput,
  ): Promise<PayoutBatch> {
    return toPayoutBatch(await this.service.rejectPayoutBatch(actor, input.id, input.reason));
  }

  @Mutation(() => PaymentStatusReportImport, {
    description:
      'A pain.002: accepted → ACCEPTED, RJCT → REJECTED with its reason code; an unknown batch applies nothing',
  })
  @Roles(...FINANCE)
  async importPaymentStatusReport(
    @CurrentActor() actor: Actor,
    @Args('input') input: ImportBankFileInput,
  ): Promise<PaymentStatusReportImport> {
    return this.service.importPaymentStatusReport(actor, input.contentBase64);
  }

  @Mutation(() => BankStatementImport, {
    description: 'A camt.053 (XSD-validated): booked debits matched to payouts → PAID, or listed as exceptions',
  })
  @Roles(...FINANCE)
  async importBankStatement(
    @CurrentActor() actor: Actor,
    @Args('input') input: ImportBankFileInput,
  ): Promise<BankStatementImport> {
    const r = await this.service.importBankStatement(actor, input.contentBase64);
    return {
      ...r,
      exceptions: r.exceptions.map((e) => ({ ...e, amount: e.amount === null ? null : MoneyModel.of(e.amount) })),
    };
  }

  private visiblePayouts(batch: PayoutBatch, ctx: GqlContext): Promise<PayoutEntity[]> {
    const actor = actorOf(ctx);
    const loader = ctx.loaders.get<string, PayoutEntity[]>('payoutBatch.payouts', async (ids) =>
      groupByKey(ids, await this.service.payoutsOf(actor, ids), (p) => p.batchId),
    );
    return loader.load(batch.id);
  }

  @ResolveField(() => [Payout], { description: 'Partner users: their own payouts only' })
  async payouts(@Parent() batch: PayoutBatch, @Context() ctx: GqlContext): Promise<Payout[]> {
    return (await this.visiblePayouts(batch, ctx)).map(toPayout);
  }

  @ResolveField(() => MoneyModel, { description: 'Sum of the payouts you may see (bank-side: the whole batch)' })
  async total(@Parent() batch: PayoutBatch, @Context() ctx: GqlContext): Promise<MoneyModel> {
    const payouts = await this.visiblePayouts(batch, ctx);
    return MoneyModel.of(
      Money.ofMinor(
        payouts.reduce((sum, p) => sum + p.amount, 0n),
        batch.currency,
      ),
    );
  }

  @ResolveField(() => Int, { description: 'Number of the payouts you may see (bank-side: the whole batch)' })
  async payoutCount(@Parent() batch: PayoutBatch, @Context() ctx: GqlContext): Promise<number> {
    return (await this.visiblePayouts(batch, ctx)).length;
  }
}

@Resolver()
@Roles(...ALL_ROLES)
@ApiScopes('settlement:read')
export class PayoutSetupResolver {
  constructor(private readonly service: PayoutsService) {}

  @Query(() => PartnerBankAccount, { nullable: true, description: 'The account on file (masked); null when none' })
  async partnerBankAccount(
    @CurrentActor() actor: Actor,
    @Args('partnerId', { type: () => ID }) partnerId: string,
  ): Promise<PartnerBankAccount | null> {
    const a = await this.service.bankAccount(actor, partnerId);
    return a ? toBankAccount(a) : null;
  }

  @Mutation(() => PartnerBankAccount, {
    description: 'Sets the partner’s account on file (audited, numbers masked)',
  })
  @Roles(...MAKERS)
  async setPartnerBankAccount(
    @CurrentActor() actor: Actor,
    @Args('input') input: SetPartnerBankAccountInput,
  ): Promise<PartnerBankAccount> {
    return toBankAccount(await this.service.setBankAccount(actor, input));
  }

  @Query(() => Invoice, { nullable: true, description: 'The invoice recorded against a statement, compared with it' })
  async invoice(
    @CurrentActor() actor: Actor,
    @Args('statementId', { type: () => ID }) statementId: string,
  ): Promise<Invoice | null> {
    const i = await this.service.invoice(actor, statementId);
    return i ? toInvoice(i, await this.service.invoiceCheck(i)) : null;
  }

  @Mutation(() => Invoice, { description: 'Records (or replaces) the partner’s VAT invoice (发票) for a statement' })
  @Roles(...MAKERS)
  async recordInvoice(@CurrentActor() actor: Actor, @Args('input') input: RecordInvoiceInput): Promise<Invoice> {
    const i = await this.service.recordInvoice(actor, input);
    return toInvoice(i, await this.service.invoiceCheck(i));
  }
}
