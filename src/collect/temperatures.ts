// Temperature collector: every thermal zone and hwmon temperature sensor; an empty list where there are none.
import { readHwmonSensors, readThermalZones } from '../sys/readSys.ts';
import type { CollectorDefinition } from './collector.ts';
import type { TemperatureMetrics } from './types.ts';

export const temperatureCollector: CollectorDefinition<'temperatures'> = {
  name: 'temperatures',
  description: 'Temperatures of /sys/class/thermal zones and /sys/class/hwmon sensors, with critical trip points',
  defaultEnabled: true,
  create: (env) => ({
    collect: (): TemperatureMetrics => {
      const sensors = [...readThermalZones(env.sysRoot), ...readHwmonSensors(env.sysRoot)];
      return sensors.length === 0 ? { sensors } : { sensors, maxCelsius: Math.max(...sensors.map((s) => s.celsius)) };
    },
    close: () => {},
  }),
  summarize: (temperatures) =>
    temperatures.sensors.length === 0
      ? ['Temps     no sensors']
      : [`Temps     ${temperatures.sensors.map((s) => `${s.label} ${s.celsius.toFixed(1)} C${s.criticalCelsius === undefined ? '' : ` (crit ${s.criticalCelsius} C)`}`).join(', ')}`],
};
