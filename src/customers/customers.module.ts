import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { CustomerEventsService } from './customer-events.service';
import { CustomerImportsController } from './customer-imports.controller';
import { CustomerImportsService } from './customer-imports.service';
import { CustomersResolver } from './customers.resolver';
import { CustomersService } from './customers.service';

@Module({
  imports: [JobsModule],
  controllers: [CustomerImportsController],
  providers: [CustomersService, CustomerEventsService, CustomerImportsService, CustomersResolver],
  exports: [CustomersService, CustomerEventsService, CustomerImportsService],
})
export class CustomersModule {}
