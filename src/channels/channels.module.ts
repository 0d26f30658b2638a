import { Module } from '@nestjs/common';
import { PartnersModule } from '../partners/partners.module';
import { ChannelQrController } from './channel-qr.controller';
import { ChannelsResolver, ProgramChannelsResolver } from './channels.resolver';
import { ChannelsService } from './channels.service';

@Module({
  imports: [PartnersModule],
  providers: [ChannelsService, ChannelsResolver, ProgramChannelsResolver],
  controllers: [ChannelQrController],
  exports: [ChannelsService],
})
export class ChannelsModule {}
