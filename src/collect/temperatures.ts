// Temperature collector: every thermal zone and hwmon temperature sensor; an empty list where there are none.
import type { HeldFileReader } from '../sys/heldFiles.ts';
import { kernelFileReader } from '../sys/kernelFiles.ts';
import { type SensorSource, listHwmonSensors, listThermalZones, readSensors } from '../sys/readTemperatures.ts';
import { type Collector, type CollectorDefinition, type CollectorEnvironment, type Tick, isDue } from './collector.ts';
import type { TemperatureMetrics } from './types.ts';

// Sensors, their labels and critical trips are listed again this often (a hwmon driver loaded or a
// device plugged in shows up within it); only the values are read every tick.
const SENSOR_RELIST_MS = 30_000;

class TemperatureCollector implements Collector<'temperatures'> {
  private readonly env: CollectorEnvironment;
  private readonly files: HeldFileReader;
  private sources: SensorSource[] = [];
  private listedAtMs: number | undefined;

  constructor(env: CollectorEnvironment) {
    this.env = env;
    this.files = kernelFileReader(env.sysRoot);
  }

  collect(tick: Tick): TemperatureMetrics {
    if (isDue(this.listedAtMs, tick, SENSOR_RELIST_MS)) {
      this.sources = [...listThermalZones(this.env.sysRoot), ...listHwmonSensors(this.env.sysRoot)];
      this.listedAtMs = tick.monotonicMs;
      // Descriptors of sensors no longer listed are let go with the rest.
      this.files.close();
    }
    const sensors = readSensors(this.sources, (path) => this.files.read(path));
    return sensors.length === 0 ? { sensors } : { sensors, maxCelsius: Math.max(...sensors.map((s) => s.celsius)) };
  }

  close(): void {
    this.files.close();
  }
}

export const temperatureCollector: CollectorDefinition<'temperatures'> = {
  name: 'temperatures',
  description: 'Temperatures of /sys/class/thermal zones and /sys/class/hwmon sensors, with critical trip points',
  defaultEnabled: true,
  create: (env) => new TemperatureCollector(env),
  summarize: (temperatures) =>
    temperatures.sensors.length === 0
      ? ['Temps     no sensors']
      : [`Temps     ${temperatures.sensors.map((s) => `${s.label} ${s.celsius.toFixed(1)} C${s.criticalCelsius === undefined ? '' : ` (crit ${s.criticalCelsius} C)`}`).join(', ')}`],
};
