import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES, Role } from '../auth/roles';
import { Connection, PageArgs } from '../graphql/connection';
import { GqlContext } from '../graphql/context';
import { groupByKey } from '../graphql/loaders';
import { Program } from '../programs/models/program.model';
import { ChannelsService } from './channels.service';
import { toChannel } from './channels.mapper';
import { ChannelsFilter, CreateChannelInput, TransitionChannelInput, UpdateChannelInput } from './dto/channel.inputs';
import { Channel } from './models/channel.model';

const ChannelConnection = Connection(Channel, 'Channel');
const WRITERS = [Role.ADMIN, Role.PARTNERSHIP_MANAGER];

@Resolver(() => Channel)
@Roles(...ALL_ROLES)
@ApiScopes('programs:read')
export class ChannelsResolver {
  constructor(private readonly service: ChannelsService) {}

  @Query(() => Channel)
  async channel(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Channel> {
    return toChannel(await this.service.get(actor, id));
  }

  @Query(() => Channel, { description: 'A code whose check character does not match is refused, never looked up.' })
  async channelByTrackingCode(@CurrentActor() actor: Actor, @Args('code') code: string): Promise<Channel> {
    return toChannel(await this.service.getByTrackingCode(actor, code.slice(0, 40)));
  }

  @Query(() => ChannelConnection)
  async channels(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: ChannelsFilter,
  ) {
    const c = await this.service.list(actor, filter ?? {}, page);
    return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, node: toChannel(e.node) })) };
  }

  @Mutation(() => Channel)
  @Roles(...WRITERS)
  async createChannel(@CurrentActor() actor: Actor, @Args('input') input: CreateChannelInput): Promise<Channel> {
    return toChannel(await this.service.create(actor, input));
  }

  @Mutation(() => Channel)
  @Roles(...WRITERS)
  async updateChannel(@CurrentActor() actor: Actor, @Args('input') input: UpdateChannelInput): Promise<Channel> {
    return toChannel(await this.service.update(actor, input));
  }

  @Mutation(() => Channel)
  @Roles(...WRITERS)
  async transitionChannel(
    @CurrentActor() actor: Actor,
    @Args('input') input: TransitionChannelInput,
  ): Promise<Channel> {
    return toChannel(await this.service.transition(actor, input));
  }
}

/** program.channels: one batched query per request, whatever the page size. */
@Resolver(() => Program)
@Roles(...ALL_ROLES)
@ApiScopes('programs:read')
export class ProgramChannelsResolver {
  constructor(private readonly service: ChannelsService) {}

  @ResolveField(() => [Channel])
  async channels(@Parent() program: Program, @Context() ctx: GqlContext): Promise<Channel[]> {
    const loader = ctx.loaders.get<string, Channel[]>('program.channels', async (ids) =>
      groupByKey(ids, await this.service.channelsOf(ids), (c) => c.programId).map((list) => list.map(toChannel)),
    );
    return loader.load(program.id);
  }
}
