import { Module } from '@nestjs/common';
import { ChannelsModule } from '../channels/channels.module';
import { PartnersModule } from '../partners/partners.module';
import {
  ChannelProgramResolver,
  CompliancePolicyResolver,
  PartnerProgramsResolver,
  ProgramsResolver,
} from './programs.resolver';
import { ProgramsService } from './programs.service';

@Module({
  imports: [PartnersModule, ChannelsModule],
  providers: [
    ProgramsService,
    ProgramsResolver,
    PartnerProgramsResolver,
    ChannelProgramResolver,
    CompliancePolicyResolver,
  ],
  exports: [ProgramsService, ChannelsModule],
})
export class ProgramsModule {}
