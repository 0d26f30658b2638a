import { INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { AppModule, AppModuleOptions, graphqlBatchLimit } from './app.module';
import { validationErrorToDomain } from './graphql/errors';
import { DomainErrorHttpFilter } from './common/http-error.filter';

/** Builds the configured Nest application; main.ts, the scripts and the tests all start it this way. */
export async function createApp(options: AppModuleOptions): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  // Every answer is per caller and computed per request (GraphQL POSTs, statement downloads): an ETag, a SHA-1 of
  // each body, would be hashed on every response for a revalidation no client makes. The framework's name is not
  // the client's business.
  app.set('etag', false);
  app.disable('x-powered-by');
  app.useBodyParser('json', { limit: '5mb' });
  app.use('/graphql', graphqlBatchLimit(options.config));
  app.useGlobalPipes(
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidUnknownValues: false,
      validationError: { target: false, value: false },
      exceptionFactory: validationErrorToDomain,
    }),
  );
  app.useGlobalFilters(new DomainErrorHttpFilter());
  app.enableShutdownHooks();
  return app;
}
