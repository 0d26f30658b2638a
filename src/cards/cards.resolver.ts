import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor';
import { ApiScopes, CurrentActor, Roles } from '../auth/decorators';
import { ALL_ROLES, Role } from '../auth/roles';
import { Connection, PageArgs } from '../graphql/connection';
import { DateScalar } from '../graphql/scalars';
import { CARDS_READ_SCOPE, CardStatus } from './card.enums';
import { CardsService } from './cards.service';
import { CardsFilter } from './dto/card.inputs';
import { CardEntity } from './entities/card.entity';
import { Card, CardJobResult } from './models/card.model';

const CardConnection = Connection(Card, 'Card');

function toCard(c: CardEntity): Card {
  return {
    id: c.id,
    customerId: c.customerId,
    programId: c.programId,
    productId: c.productId,
    partnerId: c.partnerId,
    maskedPan: c.maskedPan,
    bin: c.bin,
    status: c.status as CardStatus,
    appliedAt: c.appliedAt,
    decidedAt: c.decidedAt,
    activatedAt: c.activatedAt,
    lastSpendAt: c.lastSpendAt,
    lastActivityOn: c.lastActivityOn,
    dormantSince: c.dormantSince,
    closedAt: c.closedAt,
    version: c.version,
  };
}

@Resolver(() => Card)
@Roles(...ALL_ROLES)
@ApiScopes(CARDS_READ_SCOPE)
export class CardsResolver {
  constructor(private readonly cardsService: CardsService) {}

  @Query(() => Card)
  async card(@CurrentActor() actor: Actor, @Args('id', { type: () => ID }) id: string): Promise<Card> {
    return toCard(await this.cardsService.get(actor, id));
  }

  @Query(() => CardConnection, { description: 'Cards of the partners the caller may see (through the program).' })
  async cards(
    @CurrentActor() actor: Actor,
    @Args() page: PageArgs,
    @Args('filter', { nullable: true }) filter?: CardsFilter,
  ) {
    const c = await this.cardsService.list(actor, filter ?? {}, page);
    return { ...c, edges: c.edges.map((e) => ({ cursor: e.cursor, node: toCard(e.node) })) };
  }

  @Mutation(() => CardJobResult, {
    description:
      'ACTIVATED cards with no activation or spend for `days` (default CARD_DORMANT_DAYS) turn DORMANT (a job).',
  })
  @Roles(Role.ADMIN, Role.PARTNERSHIP_MANAGER)
  @ApiScopes()
  markDormantCards(
    @CurrentActor() actor: Actor,
    @Args('asOf', { type: () => DateScalar }) asOf: string,
    @Args('days', { type: () => Int, nullable: true }) days?: number,
  ): Promise<CardJobResult> {
    return this.cardsService.markDormantCards(actor, asOf, days);
  }
}
