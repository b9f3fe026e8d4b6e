// A temperature as a half-circle gauge: the arc fills toward the sensor's critical point (100 C when
// the driver gives none) and turns amber, then red, as it gets close.
import type { ReactNode } from 'react';
import { formatCelsius } from '../lib/format.ts';

const RADIUS = 40;
const ARC_LENGTH = Math.PI * RADIUS;

export function gaugeLevel(celsius: number, criticalCelsius: number): 'ok' | 'warning' | 'critical' {
  const share = celsius / criticalCelsius;
  return share >= 0.9 ? 'critical' : share >= 0.75 ? 'warning' : 'ok';
}

export function Gauge(props: { label: string; celsius: number; criticalCelsius?: number }): ReactNode {
  const critical = props.criticalCelsius ?? 100;
  const share = Math.min(Math.max(props.celsius / critical, 0), 1);
  const level = gaugeLevel(props.celsius, critical);
  const arc = `M ${50 - RADIUS} 50 A ${RADIUS} ${RADIUS} 0 0 1 ${50 + RADIUS} 50`;
  return (
    <figure className={`gauge gauge-${level}`} title={`${props.label}: ${formatCelsius(props.celsius)} (critical ${formatCelsius(critical)})`}>
      <svg viewBox="0 0 100 58" width="120" height="70" role="img" aria-label={`${props.label} ${formatCelsius(props.celsius)}`}>
        <path d={arc} className="gauge-track" />
        <path d={arc} className="gauge-fill" strokeDasharray={`${share * ARC_LENGTH} ${ARC_LENGTH}`} />
        <text x="50" y="48" textAnchor="middle" className="gauge-value">
          {formatCelsius(props.celsius)}
        </text>
      </svg>
      <figcaption>{props.label}</figcaption>
    </figure>
  );
}
