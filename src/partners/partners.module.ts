import { Module } from '@nestjs/common';
import { AgreementsResolver, PartnersResolver } from './partners.resolver';
import { PartnersService } from './partners.service';

@Module({ providers: [PartnersService, PartnersResolver, AgreementsResolver], exports: [PartnersService] })
export class PartnersModule {}
