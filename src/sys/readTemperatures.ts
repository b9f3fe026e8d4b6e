// Readers of temperature sensors in sysfs: thermal zones and hwmon inputs, listed (with their labels
// and critical trips, which do not change) apart from their values, which a collector reads every tick.
import { join } from 'node:path';
import { listSorted as list } from './listDir.ts';
import { parseMillidegrees } from './parseSysValues.ts';
import { type ReadText, readSmallFile } from './readFile.ts';

const DEFAULT_SYS_ROOT = '/sys';

export interface TemperatureSensor {
  source: 'thermal' | 'hwmon';
  // thermal_zone0, or the hwmon chip name and attribute (coretemp/temp1)
  sensor: string;
  label: string;
  celsius: number;
  criticalCelsius?: number;
}

// A sensor as listed: everything but its value, and the file that holds the value.
export interface SensorSource extends Omit<TemperatureSensor, 'celsius'> {
  inputPath: string;
}

function text(path: string): string | undefined {
  return readSmallFile(path)?.trim();
}

function celsius(path: string, read: ReadText = readSmallFile): number | undefined {
  const raw = read(path);
  if (raw === undefined) return undefined;
  const result = parseMillidegrees(raw);
  return result.ok ? result.value : undefined;
}

export function listThermalZones(sysRoot = DEFAULT_SYS_ROOT): SensorSource[] {
  const base = join(sysRoot, 'class', 'thermal');
  return list(base)
    .filter((name) => name.startsWith('thermal_zone'))
    .map((zone) => {
      let criticalCelsius: number | undefined;
      for (let trip = 0; trip < 32; trip++) {
        const type = text(join(base, zone, `trip_point_${trip}_type`));
        if (type === undefined) break;
        if (type === 'critical') criticalCelsius = celsius(join(base, zone, `trip_point_${trip}_temp`));
      }
      const label = text(join(base, zone, 'type')) ?? zone;
      return { source: 'thermal', sensor: zone, label, inputPath: join(base, zone, 'temp'), ...(criticalCelsius === undefined ? {} : { criticalCelsius }) };
    });
}

// Attributes live in hwmonN/ or, for older drivers, in hwmonN/device/.
export function listHwmonSensors(sysRoot = DEFAULT_SYS_ROOT): SensorSource[] {
  const base = join(sysRoot, 'class', 'hwmon');
  const sources: SensorSource[] = [];
  for (const hwmon of list(base)) {
    for (const dir of [join(base, hwmon), join(base, hwmon, 'device')]) {
      const inputs = list(dir).filter((name) => /^temp\d+_input$/.test(name));
      const chip = text(join(base, hwmon, 'name')) ?? text(join(dir, 'name')) ?? hwmon;
      for (const input of inputs) {
        const prefix = input.slice(0, -'_input'.length);
        const criticalCelsius = celsius(join(dir, `${prefix}_crit`));
        const label = text(join(dir, `${prefix}_label`)) ?? `${chip} ${prefix}`;
        sources.push({ source: 'hwmon', sensor: `${chip}/${prefix}`, label, inputPath: join(dir, input), ...(criticalCelsius === undefined ? {} : { criticalCelsius }) });
      }
      if (inputs.length > 0) break;
    }
  }
  return sources;
}

// The current value of each listed sensor; one whose value cannot be read (ENODATA from a sleeping
// sensor, or a device gone since the listing) is left out.
export function readSensors(sources: SensorSource[], read: ReadText = readSmallFile): TemperatureSensor[] {
  const sensors: TemperatureSensor[] = [];
  for (const { source, sensor, label, inputPath, criticalCelsius } of sources) {
    const value = celsius(inputPath, read);
    if (value !== undefined) sensors.push({ source, sensor, label, celsius: value, ...(criticalCelsius === undefined ? {} : { criticalCelsius }) });
  }
  return sensors;
}

export function readThermalZones(sysRoot = DEFAULT_SYS_ROOT): TemperatureSensor[] {
  return readSensors(listThermalZones(sysRoot));
}

export function readHwmonSensors(sysRoot = DEFAULT_SYS_ROOT): TemperatureSensor[] {
  return readSensors(listHwmonSensors(sysRoot));
}
