// Image references in FROM lines: ARG substitution and the repository / tag / digest split.

/** Values of the ARGs visible to FROM: a string, or null for an ARG declared without a value. */
export type ArgValues = Record<string, string | null>;

export interface Substituted {
  value: string;
  /** Variables with no known value; their references are left in `value` as written. */
  unresolved: string[];
}

// ${VAR}, ${VAR:-word}, ${VAR-word}, ${VAR:+word}, ${VAR+word}, $VAR
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * Substitutes variables the way BuildKit does for FROM. A variable that has no value is never
 * guessed: it stays as written and is listed, unless the reference carries its own default
 * (`${VAR:-3.11}`), which is what Docker uses when no build arg is given.
 */
export function substitute(text: string, values: ArgValues): Substituted {
  const unresolved = new Set<string>();
  const value = text.replace(
    VARIABLE,
    (whole, braced?: string, op?: string, word?: string, bare?: string) => {
      const name = (braced ?? bare) as string;
      const known = Object.hasOwn(values, name) && values[name] !== null;
      const current = known ? (values[name] as string) : undefined;
      switch (op) {
        case ':-':
          return current ? current : (word ?? '');
        case '-':
          return current !== undefined ? current : (word ?? '');
        case ':+':
        case '+':
          if (!known) {
            unresolved.add(name);
            return whole;
          }
          return op === '+' || current ? (word ?? '') : '';
        default:
          if (!known) {
            unresolved.add(name);
            return whole;
          }
          return current as string;
      }
    },
  );
  return { value, unresolved: [...unresolved] };
}

export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

/**
 * Splits `[registry[:port]/]path[:tag][@digest]`. The tag is after the last `:` that follows the
 * last `/`, so a registry port (`host:5000/img`) is never taken for a tag.
 */
export function splitImageRef(ref: string): ImageRef {
  const at = ref.indexOf('@');
  const digest = at >= 0 ? ref.slice(at + 1) : undefined;
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const colon = name.lastIndexOf(':');
  const hasTag = colon > name.lastIndexOf('/');
  const result: ImageRef = { repository: hasTag ? name.slice(0, colon) : name };
  if (hasTag) result.tag = name.slice(colon + 1);
  if (digest !== undefined) result.digest = digest;
  return result;
}
