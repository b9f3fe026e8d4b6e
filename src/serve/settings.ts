// What the API server is told by the configuration ([api] in the file; defaults live in src/config/api.ts).
import type { ListenAddress } from './address.ts';

export interface WebSocketSettings {
  maxClients: number;
  // a client whose unsent data would pass this is dropped: a slow reader never grows our memory
  maxBufferedBytes: number;
  // a ping every this often; a client that has not answered the previous one is dropped
  pingIntervalMs: number;
}

export interface ApiSettings {
  listen: ListenAddress;
  // required on every request when set; required to be set for a non-loopback address
  token?: string;
  // origins allowed by CORS; empty = CORS off (browsers allow same-origin only)
  corsOrigins: string[];
  // history answers at most this many points per series unless the request asks for fewer
  maxPoints: number;
  maxConnections: number;
  // the built web dashboard served at / (index.html and assets/)
  webDir: string;
  websocket: WebSocketSettings;
}

export const MIN_TOKEN_LENGTH = 16;
