// The kinds of D-Bus call failure that decide whether a notification may be sent again; a file of
// its own so that importing them loads none of the connection code.

// The other side answered the call with a D-Bus error (or an answer we cannot read): it arrived and
// was refused, so it is not lost and not worth repeating.
export class DbusErrorReply extends Error {}

// The call was written, then the connection closed or the deadline passed before the answer: the
// other side may or may not have acted on it, so running it again could do it twice.
export class CallUnanswered extends Error {}
