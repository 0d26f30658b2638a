import { createSecretKey } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { APP_CONFIG, AppConfig } from '../config/config';
import { RolesGuard } from './auth.guard';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';
import { UsersService } from './users.service';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        // A KeyObject once: given a string, jsonwebtoken tries (and fails) to parse it as a public key on every verify.
        secret: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')),
        signOptions: { algorithm: 'HS256', issuer: 'gongying' },
        verifyOptions: { algorithms: ['HS256'], issuer: 'gongying' },
      }),
    }),
  ],
  providers: [AuthService, UsersService, AuthResolver, { provide: APP_GUARD, useClass: RolesGuard }],
  exports: [AuthService, UsersService],
})
export class AuthModule {}
