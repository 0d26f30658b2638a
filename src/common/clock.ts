import { Injectable } from '@nestjs/common';

/** Injectable time source: tests replace it to pin "now" (period edges, expiry, holding periods). */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
