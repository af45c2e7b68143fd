// @ts-check
// strisk-plugin-acme: ACME's own platform rules, run by strisk beside its built-in checks.
//   strisk audit . --plugin strisk-plugin-acme        (or `plugins: [strisk-plugin-acme]` in strisk.config.yaml)
import { definePlugin } from 'strisk/api';
import eventsTtl from './checks/events-ttl.js';
import ownerLabel from './checks/owner-label.js';
import workMem from './checks/work-mem.js';

export default definePlugin({
  // The strisk/api version these checks were written for; strisk refuses to run them under another.
  apiVersion: 1,
  namespace: 'acme',
  section: 'ACME platform rules',
  checks: [eventsTtl, ownerLabel, workMem],
});
