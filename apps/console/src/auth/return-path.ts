// Where to go after signing in: only a path inside the console. Anything that a router or
// a browser could read as another origin ("//evil.example", "/\\evil", "https://…") is
// refused, so a tampered sign-in state can never redirect a user off the console.
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string') return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  // Control characters (tabs, new lines) are dropped by URL parsers and could turn "/\t/x" into "//x".
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return '/';
  }
  return value;
}
