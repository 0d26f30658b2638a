import { Actor } from '../auth/actor';
import { Role } from '../auth/roles';

/** The actor the demo seed and the data importers write as: an administrator named in every audit record. */
export const DEMO_SYSTEM_ACTOR: Actor = {
  kind: 'user',
  id: '00000000-0000-7000-8000-000000000000',
  name: 'demo-seed',
  role: Role.ADMIN,
  partnerId: null,
  orgUnitId: null,
  orgScope: null,
  scopes: [],
};
