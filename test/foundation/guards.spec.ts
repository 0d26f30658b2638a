import 'reflect-metadata';
import { Controller, ExecutionContext, Get, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer, Reflector } from '@nestjs/core';
import {
  Field,
  GRAPHQL_MODULE_OPTIONS,
  ObjectType,
  Query,
  ResolveField,
  Resolver,
  RESOLVER_PROPERTY_METADATA,
  RESOLVER_TYPE_METADATA,
} from '@nestjs/graphql';
import { RolesGuard } from '../../src/auth/auth.guard';
import { Actor } from '../../src/auth/actor';
import { Public, PUBLIC_KEY, Roles, ROLES_KEY } from '../../src/auth/decorators';
import { Role } from '../../src/auth/roles';
import { DomainError } from '../../src/common/domain-error';
import { databases, SYSTEM_ACTOR, TestApp } from '../support/harness';

type AnyFn = (...args: unknown[]) => unknown;

interface Handler {
  owner: string;
  method: string;
  kind: string;
}

function declared(target: object): boolean {
  return Reflect.getMetadata(ROLES_KEY, target) !== undefined || Reflect.getMetadata(PUBLIC_KEY, target) === true;
}

/** Methods on the class and its ancestors (resolvers may inherit operations from a base class). */
function methodsOf(cls: Type<unknown>): { name: string; fn: AnyFn }[] {
  const out = new Map<string, AnyFn>();
  for (let proto: object | null = cls.prototype as object; proto && proto !== Object.prototype;) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || out.has(name)) continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (typeof descriptor?.value === 'function') out.set(name, descriptor.value as AnyFn);
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return [...out].map(([name, fn]) => ({ name, fn }));
}

/** Every GraphQL operation and field resolver of these classes, and whether it lacks @Roles/@Public. */
export function resolverHandlers(classes: Type<unknown>[]): { all: Handler[]; undeclared: Handler[] } {
  const all: Handler[] = [];
  const undeclared: Handler[] = [];
  for (const cls of classes) {
    if (!Reflect.hasMetadata(RESOLVER_TYPE_METADATA, cls)) continue;
    for (const { name, fn } of methodsOf(cls)) {
      const operation = Reflect.getMetadata(RESOLVER_TYPE_METADATA, fn) as string | undefined;
      const field = Reflect.getMetadata(RESOLVER_PROPERTY_METADATA, fn) === true;
      if (!operation && !field) continue;
      const handler = { owner: cls.name, method: name, kind: field ? 'ResolveField' : operation! };
      all.push(handler);
      if (!declared(fn) && !declared(cls)) undeclared.push(handler);
    }
  }
  return { all, undeclared };
}

/** Every HTTP route of these controllers, and whether it lacks @Roles/@Public. */
export function routeHandlers(classes: Type<unknown>[]): { all: Handler[]; undeclared: Handler[] } {
  const all: Handler[] = [];
  const undeclared: Handler[] = [];
  for (const cls of classes) {
    if (!Reflect.hasMetadata(PATH_METADATA, cls)) continue;
    for (const { name, fn } of methodsOf(cls)) {
      if (Reflect.getMetadata(METHOD_METADATA, fn) === undefined) continue;
      const handler = { owner: cls.name, method: name, kind: 'route' };
      all.push(handler);
      if (!declared(fn) && !declared(cls)) undeclared.push(handler);
    }
  }
  return { all, undeclared };
}

// ---- fakes the checker must catch ----
@ObjectType()
class FakeThing {
  @Field() id!: string;
}

@Resolver(() => FakeThing)
class FakeUnguardedResolver {
  @Query(() => FakeThing)
  @Roles(Role.ADMIN)
  guarded(): FakeThing {
    return { id: '1' };
  }

  @Query(() => FakeThing)
  forgotten(): FakeThing {
    return { id: '2' };
  }

  @ResolveField(() => String)
  secret(): string {
    return 'x';
  }

  notAnOperation(): void {}
}

@Resolver(() => FakeThing)
@Roles(Role.ANALYST)
class FakeClassGuardedResolver {
  @ResolveField(() => String)
  label(): string {
    return 'y';
  }
}

class BaseWithOperation {
  @Query(() => FakeThing)
  inherited(): FakeThing {
    return { id: '3' };
  }
}
@Resolver(() => FakeThing)
class FakeInheritingResolver extends BaseWithOperation {}

@Controller('fake')
class FakeController {
  @Get() @Public() open(): string {
    return 'ok';
  }
  @Get('closed') closed(): string {
    return 'nope';
  }
}

describe('the resolver declaration checker', () => {
  it('flags operations and field resolvers without @Roles or @Public, including inherited ones', () => {
    const { all, undeclared } = resolverHandlers([
      FakeUnguardedResolver,
      FakeClassGuardedResolver,
      FakeInheritingResolver,
    ]);
    expect(all.map((h) => `${h.owner}.${h.method}`).sort()).toEqual(
      [
        'FakeClassGuardedResolver.label',
        'FakeInheritingResolver.inherited',
        'FakeUnguardedResolver.forgotten',
        'FakeUnguardedResolver.guarded',
        'FakeUnguardedResolver.secret',
      ].sort(),
    );
    expect(undeclared.map((h) => `${h.owner}.${h.method}`).sort()).toEqual([
      'FakeInheritingResolver.inherited',
      'FakeUnguardedResolver.forgotten',
      'FakeUnguardedResolver.secret',
    ]);
  });

  it('flags HTTP routes without a declaration', () => {
    expect(routeHandlers([FakeController]).undeclared.map((h) => h.method)).toEqual(['closed']);
  });
});

describe('the global guard denies by default', () => {
  const guard = new RolesGuard(new Reflector());
  const contextFor = (cls: Type<unknown>, method: string, actor?: Actor): ExecutionContext =>
    ({
      getHandler: () => (cls.prototype as Record<string, AnyFn>)[method],
      getClass: () => cls,
      getType: () => 'http',
      switchToHttp: () => ({ getRequest: () => ({ actor, headers: {} }) }),
    }) as unknown as ExecutionContext;
  const refusal = (context: ExecutionContext): string | undefined => {
    try {
      guard.canActivate(context);
      return undefined;
    } catch (error) {
      return error instanceof DomainError ? error.code : 'not a DomainError';
    }
  };

  it('refuses an undeclared handler even for an admin', () => {
    expect(refusal(contextFor(FakeUnguardedResolver, 'forgotten', SYSTEM_ACTOR))).toBe('FORBIDDEN');
    expect(refusal(contextFor(FakeUnguardedResolver, 'secret', SYSTEM_ACTOR))).toBe('FORBIDDEN');
    expect(refusal(contextFor(FakeController, 'closed', SYSTEM_ACTOR))).toBe('FORBIDDEN');
  });

  it('lets a declared role through, refuses other roles and anonymous callers', () => {
    expect(guard.canActivate(contextFor(FakeUnguardedResolver, 'guarded', SYSTEM_ACTOR))).toBe(true);
    const analyst: Actor = { ...SYSTEM_ACTOR, role: Role.ANALYST };
    expect(refusal(contextFor(FakeUnguardedResolver, 'guarded', analyst))).toBe('FORBIDDEN');
    expect(refusal(contextFor(FakeUnguardedResolver, 'guarded'))).toBe('UNAUTHENTICATED');
    expect(guard.canActivate(contextFor(FakeClassGuardedResolver, 'label', analyst))).toBe(true);
    expect(guard.canActivate(contextFor(FakeController, 'open'))).toBe(true);
  });
});

describe.each(databases())('every resolver of the running app on %s', (db) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start(db);
  });
  afterAll(() => t.close());

  function classes(kind: 'providers' | 'controllers'): Type<unknown>[] {
    const found = new Set<Type<unknown>>();
    for (const module of t.app.get(ModulesContainer).values()) {
      for (const wrapper of module[kind].values()) {
        const metatype = wrapper.metatype as Type<unknown> | null | undefined;
        if (typeof metatype === 'function' && metatype.prototype) found.add(metatype);
      }
    }
    return [...found];
  }

  it('declares @Roles or @Public on every query, mutation and field resolver', () => {
    const { all, undeclared } = resolverHandlers(classes('providers'));
    // The foundation alone has login, me, partners, agreements, auditLog, org units … and their field resolvers.
    expect(all.length).toBeGreaterThanOrEqual(15);
    expect(all.map((h) => h.method)).toEqual(expect.arrayContaining(['partners', 'login', 'auditLog', 'contacts']));
    expect(undeclared).toEqual([]);
  });

  it('declares @Roles or @Public on every HTTP route', () => {
    const { all, undeclared } = routeHandlers(classes('controllers'));
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(undeclared).toEqual([]);
  });

  it('runs guards on field resolvers too (fieldResolverEnhancers)', async () => {
    const options = t.app.get<{ fieldResolverEnhancers?: string[] }>(GRAPHQL_MODULE_OPTIONS);
    expect(options.fieldResolverEnhancers).toContain('guards');
    const res = await t.gql('{ partners(first: 1) { edges { node { contacts { phone } } } } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
