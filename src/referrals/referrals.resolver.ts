import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES, Role } from '../auth/roles';
import { Connection, PageArgs } from '../graphql/connection';
import { GqlContext } from '../graphql/context';
import { groupByKey } from '../graphql/loaders';
import { DateScalar } from '../graphql/scalars';
import { ReferralsFilter, SubmitReferralInput, TransitionReferralInput } from './dto/referral.inputs';
import { EngineRunResult, Referral, ReferralStatusChange } from './models/referral.model';
import { REFERRALS_READ_SCOPE, REFERRALS_WRITE_SCOPE } from './referral.enums';
import { toReferral, toStatusChange } from './referrals.mapper';
import { ReferralsService } from './referrals.service';

/** Guard level; ReferralsService.assertCanSubmit narrows users to ADMIN and PARTNERSHIP_MANAGER. */
export const SUBMITTERS = [Role.ADMIN, Role.PARTNERSHIP_MANAGER, Role.PARTNER_USER, Role.ANALYST];
const ReferralConnection = Connection(Referral, 'Referral');

@Resolver(() => Referral)
@Roles(...ALL_ROLES)
@ApiScopes(REFERRALS_READ_SCOPE, REFERRALS_WRITE_SCOPE)
export class ReferralsResolver {
  constructor(private readonly referralsService: ReferralsService) {}

  @Query(() => Referral)
  async referral(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Referral> {
    return toReferral(await this.referralsService.get(actor, id));
  }

  @Query(() => ReferralConnection)
  async referrals(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: ReferralsFilter,
  ) {
    const c = await this.referralsService.list(actor, filter ?? {}, page);
    return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, node: toReferral(e.node) })) };
  }

  // referralFunnel moved to src/analytics (AnalyticsResolver): it reads the roll-ups (issue 8).

  @Mutation(() => Referral, {
    description:
      'Idempotent per caller and key: the same key and payload return the same referral; another payload is a CONFLICT.',
  })
  // API keys act as PARTNER_USER (partner-bound) or ANALYST; the service admits users only as ADMIN/PARTNERSHIP_MANAGER.
  @Roles(...SUBMITTERS)
  @ApiScopes(REFERRALS_WRITE_SCOPE)
  async submitReferral(@CurrentActor() actor: Actor, @Args('input') input: SubmitReferralInput): Promise<Referral> {
    return toReferral((await this.referralsService.submit(actor, input)).referral);
  }

  @Mutation(() => Referral)
  @Roles(Role.ADMIN, Role.PARTNERSHIP_MANAGER)
  @ApiScopes()
  async transitionReferral(
    @CurrentActor() actor: Actor,
    @Args('input') input: TransitionReferralInput,
  ): Promise<Referral> {
    return toReferral(await this.referralsService.transition(actor, input));
  }

  @Mutation(() => EngineRunResult, {
    description: 'Marks open referrals whose window ended before asOf as EXPIRED (a job).',
  })
  @Roles(Role.ADMIN, Role.PARTNERSHIP_MANAGER)
  @ApiScopes()
  expireReferrals(
    @CurrentActor() actor: Actor,
    @Args('asOf', { type: () => DateScalar }) asOf: string,
  ): Promise<EngineRunResult> {
    return this.referralsService.expireReferrals(actor, asOf);
  }

  @ResolveField(() => [ReferralStatusChange])
  async history(@Parent() referral: Referral, @Context() ctx: GqlContext): Promise<ReferralStatusChange[]> {
    const loader = ctx.loaders.get<string, ReferralStatusChange[]>('referral.history', async (ids) =>
      groupByKey(ids, await this.referralsService.historyOf(ids), (h) => h.referralId).map((list) =>
        list.map(toStatusChange),
      ),
    );
    return loader.load(referral.id);
  }
}
