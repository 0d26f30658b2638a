import { Inject } from '@nestjs/common';
import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES, Role } from '../auth/roles';
import { toPeriod } from '../commissions/commissions.mapper';
import { CommissionPeriod } from '../commissions/models/commission.models';
import { Connection, ConnectionResult, PageArgs } from '../graphql/connection';
import { GqlContext } from '../graphql/context';
import { MoneyModel } from '../graphql/scalars';
import { Money } from '../common/money';
import { APP_CONFIG, AppConfig } from '../config/config';
import { groupByKey } from '../graphql/loaders';
import {
  RejectStatementInput,
  SetSettlementTermsInput,
  StatementsFilter,
  TransitionPeriodInput,
} from './dto/settlement.inputs';
import { SettlementTerms, Statement, StatementLine } from './models/settlement.models';
import { toStatement, toStatementLine } from './settlement.mapper';
import { PartnerTerms, SettlementService } from './settlement.service';

const StatementConnection = Connection(Statement, 'Statement');
const MAKERS = [Role.ADMIN, Role.FINANCE_MAKER];
const APPROVERS = [Role.ADMIN, Role.FINANCE_APPROVER];

@Resolver(() => Statement)
@Roles(...ALL_ROLES)
@ApiScopes('settlement:read')
export class StatementsResolver {
  constructor(
    private readonly service: SettlementService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Query(() => Statement, { description: 'A statement in your scope (partner users: their own only)' })
  async statement(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Statement> {
    return toStatement(await this.service.get(actor, id));
  }

  @Query(() => StatementConnection)
  async statements(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: StatementsFilter,
  ): Promise<ConnectionResult<Statement>> {
    const c = await this.service.list(actor, filter ?? {}, page);
    return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, node: toStatement(e.node) })) };
  }

  @Mutation(() => [Statement], {
    description: 'Statements per partner from the period’s ledger; moves the period CALCULATED → UNDER_REVIEW',
  })
  @Roles(...MAKERS)
  async generateStatements(
    @CurrentActor() actor: Actor,
    @Args('periodId', { type: () => ID }) periodId: string,
  ): Promise<Statement[]> {
    return (await this.service.generate(actor, periodId)).map(toStatement);
  }

  @Mutation(() => Statement, { description: 'DRAFT or REJECTED → PREPARED (the maker)' })
  @Roles(...MAKERS)
  async prepareStatement(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Statement> {
    return toStatement(await this.service.prepare(actor, id));
  }

  @Mutation(() => Statement, { description: 'PREPARED → APPROVED by an approver who did not prepare it' })
  @Roles(...APPROVERS)
  async approveStatement(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Statement> {
    return toStatement(await this.service.approve(actor, id));
  }

  @Mutation(() => Statement, {
    description: 'PREPARED → REJECTED with a reason, by an approver who did not prepare it',
  })
  @Roles(...APPROVERS)
  async rejectStatement(@CurrentActor() actor: Actor, @Args('input') input: RejectStatementInput): Promise<Statement> {
    return toStatement(await this.service.reject(actor, input.id, input.reason));
  }

  @Mutation(() => CommissionPeriod, { description: 'UNDER_REVIEW → APPROVED → CLOSED (locked) → PAID' })
  @Roles(Role.ADMIN, Role.FINANCE_MAKER, Role.FINANCE_APPROVER)
  async transitionPeriod(
    @CurrentActor() actor: Actor,
    @Args('input') input: TransitionPeriodInput,
  ): Promise<CommissionPeriod> {
    return toPeriod(await this.service.transitionPeriod(actor, input.periodId, input.to));
  }

  @Mutation(() => SettlementTerms, { description: 'VAT terms of a partner (default 6%, exclusive)' })
  @Roles(...MAKERS)
  async setSettlementTerms(
    @CurrentActor() actor: Actor,
    @Args('input') input: SetSettlementTermsInput,
  ): Promise<SettlementTerms> {
    return this.toTerms(input.partnerId, await this.service.setTerms(actor, input));
  }

  @Query(() => SettlementTerms, { description: 'A partner’s settlement terms (defaults when none were set)' })
  async settlementTerms(
    @CurrentActor() actor: Actor,
    @Args('partnerId', { type: () => ID }) partnerId: string,
  ): Promise<SettlementTerms> {
    return this.toTerms(partnerId, await this.service.terms(actor, partnerId));
  }

  private toTerms(partnerId: string, t: PartnerTerms): SettlementTerms {
    return {
      partnerId,
      taxRate: t.taxRate,
      pricesIncludeTax: t.pricesIncludeTax,
      invoiceTolerance: MoneyModel.of(Money.ofMinor(t.invoiceTolerance, this.config.defaultCurrency)),
    };
  }

  @ResolveField(() => [StatementLine])
  async lines(@Parent() statement: Statement, @Context() ctx: GqlContext): Promise<StatementLine[]> {
    const loader = ctx.loaders.get<string, StatementLine[]>('statement.lines', async (ids) =>
      groupByKey(ids, await this.service.linesOf(ids), (l) => l.statementId).map((list) => list.map(toStatementLine)),
    );
    return loader.load(statement.id);
  }
}
