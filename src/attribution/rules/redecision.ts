import { addDays } from '../../common/business-time';
import { AttributionScope } from '../../programs/program.enums';
import { QualificationRule } from '../../programs/rules/program-rules';
import { hintMatches, NEW_TO_BANK_KEY, productKeyOf, RuleInForce } from './attribution-rules';

/** One stored touch row (attribution_touches) as the check needs it. */
export interface StoredTouch {
  source: string;
  ref: string;
  partnerId: string;
  programId: string;
  channelId: string | null;
  touchedAt: Date;
  touchedOn: string;
  ruleVersion: number | null;
  outcome: string;
  qualificationStatus: string | null;
  qualifiedAt: Date | null;
}

/** One stored decision with its touches: every touch for NEW_TO_BANK, at least the WON ones for other keys. */
export interface StoredDecision {
  productKey: string;
  convertedAt: Date;
  convertedOn: string;
  decidedAt: Date;
  overridden: boolean;
  touches: StoredTouch[];
}

/** A referral or supply-chain touch of the customer as its source holds it now. */
export interface CurrentTouch {
  source: 'REFERRAL' | 'SUPPLY_CHAIN';
  ref: string;
  programId: string;
  channelId: string | null;
  touchedAt: Date;
  productHint: string | null;
}

export interface NewEvent {
  type: string;
  occurredAt: Date;
  businessDate: string;
  programId: string | null;
  employerUscc: string | null;
}

export interface RedecisionInput {
  onboardedOn: string;
  decisions: readonly StoredDecision[];
  newEvents: readonly NewEvent[];
  currentTouches: readonly CurrentTouch[];
  /** Today's business date, as the engine's qualification uses it. */
  today: string;
}

export interface RedecisionLookups {
  attributionRule(programId: string, onDate: string): RuleInForce | null;
  /** The qualification rule in force, with the time its version was created. */
  qualificationRule(programId: string, onDate: string): { rule: QualificationRule; createdAt: Date } | null;
  isCoBrandedCardProgram(programId: string): boolean;
  /** The partner with this USCC, or null when none. */
  employerOf(uscc: string): string | null;
  /** Ids of the PAYROLL programs of a partner. */
  payrollProgramsOf(partnerId: string): readonly string[];
}

function touchKey(t: { source: string; ref: string; programId: string; channelId: string | null; touchedAt: Date }) {
  return `${t.source}|${t.ref}|${t.programId}|${t.channelId ?? ''}|${t.touchedAt.getTime()}`;
}

/**
 * Can newly recorded events change a customer's stored decisions? The engine's inputs are the customer's
 * onboarding date, events, touches and the rules in force, plus today's date for PENDING qualification.
 * Given the stored decisions (made from every earlier event), a re-decision after new events can differ only if:
 *  - a source outside the events changed since (referral / supply-chain touches, a rule version, the onboarding
 *    date as NEW_TO_BANK sees it, a qualification window that closed with today's date);
 *  - a new event is not later than every stored touch and conversion (it may make a touch NOT_NEW, become a
 *    conversion or an earlier first card / payroll event);
 *  - a new event establishes a product key without a decision that some touch can compete for;
 *  - a new card or payroll event makes a touch the customer does not have yet;
 *  - a new event is one a winner's qualification rule counts, inside the window and before the moment the rule
 *    was met (or while it is not met).
 * Anything else leaves every decision input but the ignored events unchanged, so the re-decision would produce the
 * same inputs hash: those customers are skipped. Where the stored data cannot tell, the answer is "re-decide".
 * Returns why the customer must be re-decided, or null when no new event can change any decision.
 */
export function redecisionReason(input: RedecisionInput, rules: RedecisionLookups): string | null {
  const ntb = input.decisions.find((d) => d.productKey === NEW_TO_BANK_KEY);
  // NEW_TO_BANK accepts every touch, so its touches are the customer's whole touch list (unless overridden).
  if (!ntb || ntb.overridden) return 'no NEW_TO_BANK decision to read the touches from';
  const touches = ntb.touches.filter((t) => t.source !== 'OVERRIDE');

  const stored = touches
    .filter((t) => t.source === 'REFERRAL' || t.source === 'SUPPLY_CHAIN')
    .map(touchKey)
    .sort();
  const current = input.currentTouches.map(touchKey).sort();
  if (stored.length !== current.length || stored.some((k, i) => k !== current[i]))
    return 'referral or supply-chain touches changed';

  for (const t of touches) {
    const rule = rules.attributionRule(t.programId, t.touchedOn);
    if ((rule?.version ?? null) !== t.ruleVersion) return 'attribution rule in force changed';
    // NEW_TO_BANK scope asks "banked before the touch?": the onboarding date or an earlier event says yes.
    if (rule?.rule.scope === AttributionScope.NEW_TO_BANK && t.touchedAt.getTime() <= ntb.convertedAt.getTime()) {
      const onboardedBefore = input.onboardedOn < t.touchedOn;
      // NOT_NEW may come from an event before the touch, which the stored rows do not show: unsure, re-decide.
      if (t.outcome === 'NOT_NEW' ? !onboardedBefore : onboardedBefore) return 'onboarding date';
    }
  }

  for (const d of input.decisions) {
    if (d.overridden) continue;
    for (const w of d.touches) {
      if (w.outcome !== 'WON' || w.source === 'OVERRIDE') continue;
      const found = rules.qualificationRule(w.programId, d.convertedOn);
      if (!found) {
        if (w.qualificationStatus !== 'NO_RULE') return 'qualification rule removed';
        continue;
      }
      // A version created after the decision may not be the one that judged it (no version is stored per touch).
      if (w.qualificationStatus === 'NO_RULE' || found.createdAt.getTime() >= d.decidedAt.getTime())
        return 'qualification rule newer than the decision';
      const lastDay = addDays(d.convertedOn, found.rule.withinDays);
      const open = input.today <= lastDay;
      // PENDING turns NOT_QUALIFIED the day after the window, with no event at all.
      const settled =
        w.qualificationStatus === 'QUALIFIED' ||
        (w.qualificationStatus === 'PENDING' && open) ||
        (w.qualificationStatus === 'NOT_QUALIFIED' && !open);
      if (!settled) return 'qualification status no longer matches today';
      const counted = new Set<string>(found.rule.all.map((c) => c.eventType));
      for (const e of input.newEvents) {
        if (!counted.has(e.type)) continue;
        if (e.occurredAt.getTime() < d.convertedAt.getTime() || e.businessDate > lastDay) continue;
        // Once met, only events up to the qualifying one matter (they change the moment or the evidence).
        if (w.qualificationStatus === 'QUALIFIED' && w.qualifiedAt && e.occurredAt.getTime() > w.qualifiedAt.getTime())
          continue;
        return 'an event the qualification rule counts';
      }
    }
  }

  let horizon = 0;
  for (const t of touches) horizon = Math.max(horizon, t.touchedAt.getTime());
  for (const d of input.decisions) horizon = Math.max(horizon, d.convertedAt.getTime());
  const hintOf = new Map(input.currentTouches.map((t) => [`${t.source}|${t.ref}`, t.productHint]));
  const hint = (t: StoredTouch): string | null =>
    t.source === 'CO_BRANDED_CARD' ? `CARD:${t.programId}` : (hintOf.get(`${t.source}|${t.ref}`) ?? null);
  const keys = new Set(input.decisions.map((d) => d.productKey));
  for (const e of input.newEvents) {
    if (e.occurredAt.getTime() <= horizon) return 'an event not later than every touch and conversion';
    const key = productKeyOf(e);
    if (key !== null && !keys.has(key) && touches.some((t) => hintMatches(hint(t), key)))
      return 'a new product key some touch competes for';
    if (
      e.type.startsWith('CARD_') &&
      e.programId !== null &&
      rules.isCoBrandedCardProgram(e.programId) &&
      !touches.some((t) => t.source === 'CO_BRANDED_CARD' && t.programId === e.programId)
    )
      return 'a first event of a co-branded card program';
    if (e.type === 'PAYROLL_CREDIT' && e.employerUscc !== null) {
      const employer = rules.employerOf(e.employerUscc);
      if (
        employer !== null &&
        rules
          .payrollProgramsOf(employer)
          .some((p) => !touches.some((t) => t.source === 'PAYROLL' && t.partnerId === employer && t.programId === p))
      )
        return 'a first payroll credit of an employer';
    }
  }
  // Payroll touches of earlier credits: the employer's PAYROLL programs must still be the ones judged.
  const judged = new Map<string, Set<string>>();
  for (const t of touches)
    if (t.source === 'PAYROLL') judged.set(t.partnerId, (judged.get(t.partnerId) ?? new Set()).add(t.programId));
  for (const [partnerId, programIds] of judged) {
    const now = rules.payrollProgramsOf(partnerId);
    if (now.length !== programIds.size || now.some((p) => !programIds.has(p))) return 'payroll programs changed';
  }
  return null;
}
