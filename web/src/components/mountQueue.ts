// Charts are built one per task, in the order they ask: the first is built and drawn at once, and
// the browser can paint it (and handle input) before the next one is built, instead of one long
// task that builds every chart of the page before anything shows.
const waiting: Array<() => void> = [];
let draining = false;

function runNext(): void {
  const task = waiting.shift();
  if (!task) {
    draining = false;
    return;
  }
  try {
    task();
  } finally {
    setTimeout(runNext, 0);
  }
}

// Runs task now when nothing is queued, else after the tasks before it; returns what cancels it.
export function queueMount(task: () => void): () => void {
  let cancelled = false;
  const guarded = (): void => {
    if (!cancelled) task();
  };
  if (draining) waiting.push(guarded);
  else {
    draining = true;
    waiting.unshift(guarded);
    runNext();
  }
  return () => {
    cancelled = true;
    const index = waiting.indexOf(guarded);
    if (index >= 0) waiting.splice(index, 1);
  };
}
