// The access token: a Bearer header on every request, or ?token= where a browser's WebSocket cannot send headers.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export class TokenCheck {
  private readonly digest: Buffer | undefined;

  // No token: every request is allowed (only ever on a loopback address; the configuration makes sure).
  constructor(token: string | undefined) {
    this.digest = token === undefined ? undefined : createHash('sha256').update(token).digest();
  }

  get required(): boolean {
    return this.digest !== undefined;
  }

  // Compares digests in constant time, so the answer's timing says nothing about the token.
  private matches(candidate: string): boolean {
    return this.digest !== undefined && timingSafeEqual(this.digest, createHash('sha256').update(candidate).digest());
  }

  allows(headers: IncomingHttpHeaders, queryToken?: string): boolean {
    if (!this.digest) return true;
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
    if (bearer !== undefined) return this.matches(bearer);
    return queryToken !== undefined && this.matches(queryToken);
  }
}
