import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../../auth/decorators';
import { ALL_ROLES, Role } from '../../auth/roles';
import { Connection, ConnectionResult, PageArgs } from '../../graphql/connection';
import { GqlContext } from '../../graphql/context';
import { groupByKey } from '../../graphql/loaders';
import {
  AdjustmentsFilter,
  CommentOnDisputeInput,
  DisputesFilter,
  ImportPartnerClaimInput,
  PrepareAdjustmentInput,
  RaiseDisputeInput,
  ReconciliationRowsFilter,
  RejectAdjustmentInput,
  RejectDisputeInput,
  ResolveDisputeInput,
  SetClaimMappingInput,
} from './dto/reconciliation.inputs';
import {
  Adjustment,
  ClaimImport,
  ClaimMapping,
  Dispute,
  DisputeComment,
  Reconciliation,
} from './models/reconciliation.models';
import {
  toAdjustment,
  toClaimMapping,
  toDispute,
  toDisputeComment,
  toReconciliationRow,
  toSummary,
} from './reconciliation.mapper';
import { ReconciliationService } from './reconciliation.service';

const DisputeConnection = Connection(Dispute, 'Dispute');
const AdjustmentConnection = Connection(Adjustment, 'Adjustment');
/** Who imports claims and edits the claim mapping: finance on the partner's behalf, or the partner. */
const CLAIMANTS = [Role.ADMIN, Role.FINANCE_MAKER, Role.PARTNER_USER];
/** Both sides of a dispute. */
const DISPUTANTS = [Role.ADMIN, Role.FINANCE_MAKER, Role.FINANCE_APPROVER, Role.PARTNERSHIP_MANAGER, Role.PARTNER_USER];
const DECIDERS = [Role.ADMIN, Role.FINANCE_MAKER, Role.FINANCE_APPROVER];
const MAKERS = [Role.ADMIN, Role.FINANCE_MAKER];
const APPROVERS = [Role.ADMIN, Role.FINANCE_APPROVER];

@Resolver(() => Dispute)
@Roles(...ALL_ROLES)
export class ReconciliationResolver {
  constructor(private readonly service: ReconciliationService) {}

  // ---------- claims and reconciliation ----------

  @Query(() => ClaimMapping, { nullable: true, description: 'The partner’s saved claim-file mapping' })
  @ApiScopes('settlement:read')
  async claimMapping(
    @CurrentActor() actor: Actor,
    @Args('partnerId', { type: () => ID }) partnerId: string,
  ): Promise<ClaimMapping | null> {
    const m = await this.service.getMapping(actor, partnerId);
    return m ? toClaimMapping(m) : null;
  }

  @Mutation(() => ClaimMapping, { description: 'Saves the partner’s claim-file mapping' })
  @Roles(...CLAIMANTS)
  async setClaimMapping(
    @CurrentActor() actor: Actor,
    @Args('input') input: SetClaimMappingInput,
  ): Promise<ClaimMapping> {
    return toClaimMapping(await this.service.setMapping(actor, input.partnerId, input.mapping));
  }

  @Mutation(() => ClaimImport, {
    description:
      'Imports a partner’s claim file (CSV in UTF-8 or GBK, or XLSX) for a statement and reconciles it; replaces the ' +
      'statement’s previous reconciliation. Invalid rows reject the whole file (extensions.rows lists each).',
  })
  @Roles(...CLAIMANTS)
  async importPartnerClaim(
    @CurrentActor() actor: Actor,
    @Args('input') input: ImportPartnerClaimInput,
  ): Promise<ClaimImport> {
    const r = await this.service.importClaim(actor, input);
    return {
      claimId: r.claim.id,
      encoding: r.claim.encoding,
      rowCount: r.claim.rowCount,
      issues: r.issues,
      summary: toSummary(r.reconciliation, r.claim),
    };
  }

  @Query(() => Reconciliation, { description: 'The statement’s current reconciliation: summary and rows' })
  @ApiScopes('settlement:read')
  async reconciliation(
    @CurrentActor() actor: Actor,
    @Args('statementId', { type: () => ID }) statementId: string,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: ReconciliationRowsFilter,
  ): Promise<Reconciliation> {
    const current = await this.service.currentReconciliation(actor, statementId);
    if (!current)
      return {
        statementId,
        summary: null,
        rows: {
          edges: [],
          pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
          totalCount: () => Promise.resolve(0),
        },
      };
    const c = await this.service.rows(current.claim.id, filter ?? {}, page);
    return {
      statementId,
      summary: toSummary(current.reconciliation, current.claim),
      rows: { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, node: toReconciliationRow(e.node) })) },
    };
  }

  // ---------- disputes ----------

  @Query(() => Dispute)
  @ApiScopes('settlement:read')
  async dispute(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Dispute> {
    return toDispute(await this.service.getDispute(actor, id));
  }

  @Query(() => DisputeConnection, { description: 'Disputes in your scope (partner users: their own statements)' })
  @ApiScopes('settlement:read')
  async disputes(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: DisputesFilter,
  ): Promise<ConnectionResult<Dispute>> {
    const c = await this.service.listDisputes(actor, filter ?? {}, page);
    return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, node: toDispute(e.node) })) };
  }

  @Mutation(() => Dispute, { description: 'Raises a dispute on a statement (optionally one reconciliation row)' })
  @Roles(...DISPUTANTS)
  async raiseDispute(@CurrentActor() actor: Actor, @Args('input') input: RaiseDisputeInput): Promise<Dispute> {
    return toDispute(await this.service.raiseDispute(actor, input));
  }

  @Mutation(() => DisputeComment, { description: 'Comments on an open dispute (bank or partner side)' })
  @Roles(...DISPUTANTS)
  async commentOnDispute(
    @CurrentActor() actor: Actor,
    @Args('input') input: CommentOnDisputeInput,
  ): Promise<DisputeComment> {
    return toDisputeComment(await this.service.comment(actor, input));
  }

  @Mutation(() => Dispute, { description: 'OPEN → RESOLVED by an approved adjustment of the same partner' })
  @Roles(...DECIDERS)
  async resolveDispute(@CurrentActor() actor: Actor, @Args('input') input: ResolveDisputeInput): Promise<Dispute> {
    return toDispute(await this.service.resolveDispute(actor, input));
  }

  @Mutation(() => Dispute, { description: 'OPEN → REJECTED with a reason' })
  @Roles(...DECIDERS)
  async rejectDispute(@CurrentActor() actor: Actor, @Args('input') input: RejectDisputeInput): Promise<Dispute> {
    return toDispute(await this.service.rejectDispute(actor, input));
  }

  @ResolveField(() => [DisputeComment])
  async comments(@Parent() dispute: Dispute, @Context() ctx: GqlContext): Promise<DisputeComment[]> {
    const loader = ctx.loaders.get<string, DisputeComment[]>('dispute.comments', async (ids) =>
      groupByKey(ids, await this.service.commentsOf(ids), (c) => c.disputeId).map((list) => list.map(toDisputeComment)),
    );
    return loader.load(dispute.id);
  }

  // ---------- adjustments ----------

  @Query(() => Adjustment, { description: 'An adjustment in your scope (partner users: approved ones only)' })
  @ApiScopes('settlement:read')
  async adjustment(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Adjustment> {
    return toAdjustment(await this.service.getAdjustment(actor, id));
  }

  @Query(() => AdjustmentConnection)
  @ApiScopes('settlement:read')
  async adjustments(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: AdjustmentsFilter,
  ): Promise<ConnectionResult<Adjustment>> {
    const c = await this.service.listAdjustments(actor, filter ?? {}, page);
    return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, node: toAdjustment(e.node) })) };
  }

  @Mutation(() => Adjustment, { description: 'Prepares a signed adjustment for a partner (finance maker)' })
  @Roles(...MAKERS)
  async prepareAdjustment(
    @CurrentActor() actor: Actor,
    @Args('input') input: PrepareAdjustmentInput,
  ): Promise<Adjustment> {
    return toAdjustment(await this.service.prepareAdjustment(actor, input));
  }

  @Mutation(() => Adjustment, {
    description:
      'PREPARED → APPROVED by an approver who did not prepare it; posts it to the ledger of the next open period',
  })
  @Roles(...APPROVERS)
  async approveAdjustment(
    @CurrentActor() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<Adjustment> {
    return toAdjustment(await this.service.approveAdjustment(actor, id));
  }

  @Mutation(() => Adjustment, {
    description: 'PREPARED → REJECTED with a reason, by an approver who did not prepare it',
  })
  @Roles(...APPROVERS)
  async rejectAdjustment(
    @CurrentActor() actor: Actor,
    @Args('input') input: RejectAdjustmentInput,
  ): Promise<Adjustment> {
    return toAdjustment(await this.service.rejectAdjustment(actor, input.id, input.reason));
  }
}
