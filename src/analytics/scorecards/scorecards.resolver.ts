import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../../auth/actor';
import { CurrentActor, Roles } from '../../auth/decorators';
import { ALL_ROLES, INTERNAL_ROLES, Role } from '../../auth/roles';
import { Connection, ConnectionResult, PageArgs } from '../../graphql/connection';
import { GqlContext } from '../../graphql/context';
import { byKey } from '../../graphql/loaders';
import { Job } from '../../jobs/models/job.model';
import { Partner } from '../../partners/models/partner.model';
import {
  CalculatePartnerScorecardsInput,
  PartnerScorecardsFilter,
  RecordPartnerComplaintInput,
  RecordPartnerExternalRatingInput,
  SetScorecardWeightsInput,
} from './dto/scorecard.inputs';
import {
  PartnerComplaint,
  PartnerExternalRating,
  PartnerScorecard,
  ScorecardWeightSet,
  ScorecardWeightSettings,
} from './models/scorecard.models';
import { toComplaint, toExternalRating, toJobModel, toScorecard, toWeightSet } from './scorecards.mapper';
import { ScorecardsService } from './scorecards.service';

const PartnerScorecardConnection = Connection(PartnerScorecard, 'PartnerScorecard');
const MANAGERS = [Role.ADMIN, Role.PARTNERSHIP_MANAGER];

@Resolver(() => PartnerScorecard)
@Roles(...ALL_ROLES)
export class PartnerScorecardsResolver {
  constructor(private readonly service: ScorecardsService) {}

  @Query(() => PartnerScorecardConnection, {
    description: 'Scorecards of a commission period by rank (a partner user sees only its own)',
  })
  async partnerScorecards(
    @CurrentActor() actor: Actor,
    @Args('periodId', { type: () => ID }) periodId: string,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: PartnerScorecardsFilter,
  ): Promise<ConnectionResult<PartnerScorecard>> {
    const result = await this.service.list(actor, periodId, filter ?? {}, page);
    return { ...result, edges: result.edges.map((e) => ({ cursor: e.cursor, node: toScorecard(e.node) })) };
  }

  @Query(() => ScorecardWeightSettings, { description: 'The weight set in force for a period, and every stored set' })
  @Roles(...INTERNAL_ROLES)
  async scorecardWeights(
    @Args('periodKey', { nullable: true, description: "'YYYY-MM'; default this month" }) periodKey?: string,
  ): Promise<ScorecardWeightSettings> {
    const { current, history } = await this.service.weightSettings(periodKey);
    return { current: toWeightSet(current), history: history.map(toWeightSet) };
  }

  @Mutation(() => ScorecardWeightSet, {
    description: 'Stores a new weight set (direct weights or an AHP matrix) from a period on; history is kept',
  })
  @Roles(...MANAGERS)
  async setScorecardWeights(
    @CurrentActor() actor: Actor,
    @Args('input') input: SetScorecardWeightsInput,
  ): Promise<ScorecardWeightSet> {
    return toWeightSet(await this.service.setWeights(actor, input));
  }

  @Mutation(() => Job, { description: 'Starts the scorecard job for a period; follow it with job(id)' })
  @Roles(...MANAGERS)
  async calculatePartnerScorecards(
    @CurrentActor() actor: Actor,
    @Args('input') input: CalculatePartnerScorecardsInput,
  ): Promise<Job> {
    return toJobModel(await this.service.startCalculation(actor, input));
  }

  @Mutation(() => PartnerComplaint)
  @Roles(...MANAGERS)
  async recordPartnerComplaint(
    @CurrentActor() actor: Actor,
    @Args('input') input: RecordPartnerComplaintInput,
  ): Promise<PartnerComplaint> {
    return toComplaint(await this.service.recordComplaint(actor, input));
  }

  @Mutation(() => PartnerExternalRating)
  @Roles(...MANAGERS)
  async recordPartnerExternalRating(
    @CurrentActor() actor: Actor,
    @Args('input') input: RecordPartnerExternalRatingInput,
  ): Promise<PartnerExternalRating> {
    return toExternalRating(await this.service.recordExternalRating(actor, input));
  }
}

@Resolver(() => Partner)
@Roles(...ALL_ROLES)
export class PartnerScorecardFieldResolver {
  constructor(private readonly service: ScorecardsService) {}

  @ResolveField(() => PartnerScorecard, {
    nullable: true,
    description: "The partner's scorecard for a commission period (null when not calculated)",
  })
  async scorecard(
    @Parent() partner: Partner,
    @CurrentActor() actor: Actor,
    @Context() ctx: GqlContext,
    @Args('periodId', { type: () => ID }) periodId: string,
  ): Promise<PartnerScorecard | null> {
    const loader = ctx.loaders.get<string, PartnerScorecard | null>('partner.scorecard', async (keys) => {
      const pairs = keys.map((k) => {
        const [pid, partnerId] = k.split('|') as [string, string];
        return { periodId: pid, partnerId };
      });
      const rows = await this.service.scorecardsOf(actor, pairs);
      return byKey(keys, rows, (r) => `${r.periodId}|${r.partnerId}`).map((r) => (r ? toScorecard(r) : null));
    });
    return loader.load(`${periodId}|${partner.id}`);
  }
}
