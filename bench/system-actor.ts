import { Actor } from '../src/auth/actor';
import { Role } from '../src/auth/roles';

export const SYSTEM_ACTOR_FOR_BENCH: Actor = {
  kind: 'user',
  id: '00000000-0000-7000-8000-0000000000b0',
  name: 'bench-setup',
  role: Role.ADMIN,
  partnerId: null,
  orgUnitId: null,
  orgScope: null,
  scopes: [],
};
