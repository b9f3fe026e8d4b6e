// Empty states and errors, in the same place and size the content would take.
import type { ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';

export function Empty(props: { children: ReactNode; testId?: string }): ReactNode {
  return (
    <p className="empty" data-testid={props.testId}>
      {props.children}
    </p>
  );
}

export function ErrorNotice(props: { error: ApiError | undefined }): ReactNode {
  if (!props.error || props.error.status === 401) return null;
  return (
    <p className="error" role="alert">
      {props.error.message}
    </p>
  );
}

export function Badge(props: { level: string; children: ReactNode }): ReactNode {
  return <span className={`badge badge-${props.level}`}>{props.children}</span>;
}
