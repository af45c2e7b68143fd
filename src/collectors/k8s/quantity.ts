// Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity) as numbers: CPU in cores,
// memory in bytes. Pure; used by the k8s collector.

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/**
 * A quantity's value: `500m` -> 0.5, `1.5` -> 1.5, `512Mi` -> 536870912, `1G` -> 1e9, `1e3` -> 1000.
 * Null when the text is not a quantity (`512MB`, `1 Gi`, `${MEM}`).
 */
export function parseQuantity(raw: string | number): number | null {
  if (typeof raw === 'number') return Number.isFinite(raw) && raw >= 0 ? raw : null;
  const m = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E)?)$/.exec(
    raw.trim(),
  );
  if (!m) return null;
  const n = Number(m[1]);
  if (m[2]) return n * (BINARY[m[2]] as number);
  if (m[3]) return n * 10 ** Number(m[3].slice(1));
  return n * (DECIMAL[m[4] ?? ''] as number);
}
