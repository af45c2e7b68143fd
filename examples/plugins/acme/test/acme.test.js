// The plugin's own tests: each check on recorded facts and fixture projects, through strisk/testing.
// Run with `npm test` (node --test) where strisk is installed.
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertCheck, assertPlugin, CheckTester } from 'strisk/testing';
import plugin from '../index.js';
import eventsTtl from '../checks/events-ttl.js';
import ownerLabel from '../checks/owner-label.js';
import workMem from '../checks/work-mem.js';

const tester = new CheckTester({ describe, it });
const fixtures = (name) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('strisk-plugin-acme', () => {
  it('is a valid plugin for this strisk', () => {
    assertPlugin(plugin, 'strisk-plugin-acme');
  });
});

// Every success*/failure* fixture, with the status its name says.
tester.fixtures(eventsTtl, fixtures('events-ttl'));
tester.fixtures(workMem, fixtures('work-mem'));
tester.fixtures(ownerLabel, fixtures('owner-label'));

tester.run(eventsTtl, [
  {
    name: 'names the table without a TTL',
    facts: fixtures('events-ttl/failure.facts.json'),
    expect: {
      status: 'fail',
      message: '1 of 1 events table(s) have no TTL',
      evidence: [{ subject: 'clickhouse/analytics.events_raw', status: 'fail' }],
    },
  },
  {
    name: 'a pattern no table matches is a skip, never a pass',
    facts: fixtures('events-ttl/failure.facts.json'),
    options: { tables: 'audit_*' },
    expect: 'skip',
  },
  {
    name: 'the glob is over the table name',
    facts: fixtures('events-ttl/failure.facts.json'),
    options: { tables: 'metr*' },
    expect: { status: 'fail', evidence: [{ subject: 'clickhouse/ok.metrics' }] },
  },
]);

tester.run(workMem, [
  {
    name: 'a lower threshold passes the default 4 MB',
    facts: fixtures('work-mem/failure.facts.json'),
    options: { minBytes: 4 * 1024 * 1024 },
    expect: 'pass',
  },
  {
    name: 'shows the value against the threshold',
    facts: fixtures('work-mem/failure.facts.json'),
    expect: { status: 'fail', message: 'below 64 MiB', evidence: [{ observed: '4 MiB', status: 'fail' }] },
  },
  {
    name: 'says where the setting came from',
    facts: fixtures('work-mem/success.facts.json'),
    expect: { status: 'pass', evidence: [{ file: '/etc/postgresql/postgresql.conf', line: 131 }] },
  },
]);

describe('acme/owner-label on a fixture project', () => {
  it('fails the service without an owner, at its line', async () => {
    await assertCheck(ownerLabel, {
      dir: fixtures('owner-label/failure'),
      expect: { status: 'fail', message: 'redis', evidence: [{ subject: 'service redis', line: 7, status: 'fail' }] },
    });
  });
});
