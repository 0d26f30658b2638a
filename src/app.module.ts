import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger as TypeOrmLogger } from 'typeorm';
import { AuditModule } from './audit/audit.module';
import { ActorMiddleware } from './auth/actor.middleware';
import { AuthModule } from './auth/auth.module';
import { RequestWithActor } from './auth/decorators';
import { Clock } from './common/clock';
import { APP_CONFIG, AppConfig } from './config/config';
import { DatabaseModule } from './database/database.module';
import { GqlContext } from './graphql/context';
import { buildFormatError } from './graphql/errors';
import { batchLimitMiddleware, costLimitPlugin, limitRules } from './graphql/limits';
import { LoaderRegistry } from './graphql/loaders';
import { HealthController } from './health/health.controller';
import { OrgUnitsModule } from './org-units/org-units.module';
import { PartnersModule } from './partners/partners.module';
import { FEATURE_MODULES } from './feature-modules';

export interface AppModuleOptions {
  config: AppConfig;
  /** Tests and the bench pass a QueryCounter to count SQL statements. */
  typeOrmLogger?: TypeOrmLogger;
  clock?: Clock;
}

@Global()
@Module({})
class CoreModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: APP_CONFIG, useValue: options.config },
        { provide: Clock, useValue: options.clock ?? new Clock() },
      ],
      exports: [APP_CONFIG, Clock],
    };
  }
}

@Module({})
export class AppModule implements NestModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(options),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (req: IncomingMessage) => {
              const incoming = req.headers['x-request-id'];
              return typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
            },
            // Credentials never reach the logs.
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
            autoLogging: { ignore: (req: IncomingMessage) => req.url?.startsWith('/health') ?? false },
          },
        }),
        DatabaseModule.forRoot(options.typeOrmLogger ? { logger: options.typeOrmLogger } : {}),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          buildSchemaOptions: { dateScalarMode: 'isoDate' },
          fieldResolverEnhancers: ['guards'],
          introspection: !config.isProduction,
          playground: false,
          allowBatchedHttpRequests: true,
          plugins: [
            config.isProduction
              ? ApolloServerPluginLandingPageDisabled()
              : ApolloServerPluginLandingPageLocalDefault({ embed: true }),
            costLimitPlugin(config),
            // No type sets cache hints; the built-in cache-control plugin would still wrap every field resolver.
            ApolloServerPluginCacheControlDisabled(),
          ],
          validationRules: limitRules(config),
          formatError: buildFormatError(config.isProduction),
          includeStacktraceInErrorResponses: false,
          context: ({ req }: { req: RequestWithActor }): GqlContext => ({ req, loaders: new LoaderRegistry() }),
        }),
        AuditModule,
        OrgUnitsModule,
        AuthModule,
        PartnersModule,
        ...FEATURE_MODULES,
      ],
      controllers: [HealthController],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ActorMiddleware).forRoutes('*path');
  }
}

export function graphqlBatchLimit(config: AppConfig) {
  return batchLimitMiddleware(config.graphql.maxBatch);
}
