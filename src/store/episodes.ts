// Episodes as both backends store them: indexed columns for the filters, the whole episode as JSON.
import type { Episode } from '../detect/rules.ts';
import type { StoredEpisode } from './store.ts';

export interface EpisodeColumns {
  id: string;
  startMs: number;
  endMs: number | null;
  severity: string;
  category: string;
  metric: string;
  body: string;
}

export function episodeColumns(episode: Episode): EpisodeColumns {
  return {
    id: episode.id,
    startMs: episode.startMs,
    endMs: episode.endMs,
    severity: episode.severity,
    category: episode.category,
    metric: episode.metric,
    body: JSON.stringify(episode),
  };
}

export function storedEpisode(hostId: string, body: string): StoredEpisode {
  return { ...(JSON.parse(body) as Episode), hostId };
}
