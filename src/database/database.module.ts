import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource, Logger as TypeOrmLogger } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { openDataSource } from './data-source';
import { TransactionService } from './transaction.service';

/** Provides the one DataSource (built from the validated config) and the transaction helper. */
@Global()
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  static forRoot(options: { logger?: TypeOrmLogger } = {}): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: DataSource,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => openDataSource(config, options.logger ? { logger: options.logger } : {}),
        },
        TransactionService,
      ],
      exports: [DataSource, TransactionService],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
