// -n: earlyoom's D-Bus system signal plus a desktop notification on each user's session bus.
import { emitEarlyoomSignal, findSessionBuses, notifyDesktop } from '../alert/channels/dbus.ts';
import type { Emit, VictimInfo } from './events.ts';

export async function notifyProcessKilled(victim: VictimInfo, emit: Emit): Promise<void> {
  const body = `Low memory! Killing process ${victim.pid} ${victim.name}`;
  const deliveries: Array<Promise<unknown>> = [emitEarlyoomSignal(body)];
  for (const bus of findSessionBuses()) {
    deliveries.push(notifyDesktop('Low memory', body, { busAddress: bus.address, uid: bus.uid, urgency: 'critical', appName: 'hostguard' }));
  }
  const results = await Promise.allSettled(deliveries);
  for (const result of results) {
    if (result.status === 'rejected') emit({ type: 'warn', message: `notification failed: ${(result.reason as Error).message}` });
  }
}
