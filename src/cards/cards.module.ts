import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module';
import { JobsModule } from '../jobs/jobs.module';
import { PartnersModule } from '../partners/partners.module';
import { ProgramsModule } from '../programs/programs.module';
import { CardsResolver } from './cards.resolver';
import { CardsService } from './cards.service';

@Module({
  imports: [PartnersModule, ProgramsModule, CustomersModule, JobsModule],
  providers: [CardsService, CardsResolver],
  exports: [CardsService],
})
export class CardsModule {}
