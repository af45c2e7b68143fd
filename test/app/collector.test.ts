import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import blocking from '../../src/checks/app/blocking-call-in-async.js';
import workers from '../../src/checks/app/server-workers.js';
import { collect, collectApp } from '../../src/collectors/app/index.js';
import { runCheck } from '../../src/core/engine.js';
import { appFacts, ROOT } from './support.js';

const EXAMPLE = resolve(ROOT, 'examples/st-risk-platform');

describe('app collector on examples/st-risk-platform', () => {
  it('finds the blocking requests.get and time.sleep in the async route, with lines', async () => {
    const facts = await collectApp(EXAMPLE);
    const peers = facts.routes.find((r) => r.path === '/risks/{risk_id}/peers')!;
    expect(peers).toMatchObject({ async: true, file: 'app/main.py', handler: 'risk_peers' });
    expect(peers.calls).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ qualified: 'requests.get', line: 49 }),
        expect.objectContaining({ qualified: 'time.sleep', line: 50 }),
      ]),
    );
    const result = runCheck(blocking, await appFacts(EXAMPLE));
    expect(result.status).toBe('fail');
    expect(result.evidence.map((e) => e.subject)).toEqual(
      expect.arrayContaining(['app/main.py:49', 'app/main.py:50', 'app/main.py:37']),
    );
  });

  it('finds the middleware, pools, settings and server command', async () => {
    const facts = await collectApp(EXAMPLE);
    expect(facts.errors).toEqual([]);
    expect(facts.middleware).toEqual([
      expect.objectContaining({
        name: 'GZipMiddleware',
        line: 19,
        args: { minimum_size: { text: '1000', value: 1000 } },
      }),
    ]);
    const engine = facts.calls.find((c) => c.qualified === 'sqlalchemy.ext.asyncio.create_async_engine')!;
    expect(engine).toMatchObject({
      line: 21,
      args: { pool_size: { value: 10 }, max_overflow: { value: 5 } },
    });
    expect(facts.calls.find((c) => c.qualified === 'redis.asyncio.from_url')).toMatchObject({
      line: 22,
      args: { max_connections: { value: 10 } },
    });
    const level = facts.calls.find((c) => c.qualified === 'logging.basicConfig')!.args.level!;
    expect(level).toMatchObject({
      value: 'INFO',
      env: 'LOG_LEVEL',
      from: { file: 'app/settings.py', line: 9 },
    });
    const compose = facts.servers.find((s) => s.source === 'compose')!;
    expect(compose).toMatchObject({
      server: 'uvicorn',
      workers: 4,
      file: 'compose.yaml',
      line: 21,
      service: 'api',
    });
    expect(facts.servers.find((s) => s.source === 'dockerfile')).toMatchObject({ line: 19 });
    expect(facts.dependencies.find((d) => d.name === 'uvicorn')).toMatchObject({
      extras: ['standard'],
      line: 2,
    });
  });

  it('judges the workers against the compose cpus limit and says so', async () => {
    const result = runCheck(workers, await appFacts(EXAMPLE));
    expect(result.status).toBe('warn'); // 4 workers on a 2-core limit: within 2 × cores, not equal
    expect(result.evidence[0]).toMatchObject({ subject: 'compose.yaml:21', observed: 4 });
    expect(String(result.evidence[0]!.expected)).toContain('compose cpus limit of api');
  });
});

describe('app collector on broken input', () => {
  it('records a syntax error for that file only, and checks that need it error', async () => {
    const dir = resolve(ROOT, 'fixtures/app/broken');
    const facts = await collectApp(dir);
    expect(facts.errors).toEqual([expect.objectContaining({ file: 'app/helpers.py', line: 1 })]);
    expect(facts.routes.length).toBeGreaterThan(0);
    const result = runCheck(blocking, await appFacts(dir));
    expect(result.status).toBe('error');
    expect(result.message).toContain('app/helpers.py:1');
  });

  it('reports a missing directory as an invalid target', async () => {
    const t = await collect({ url: 'no/such/dir' }, { projectDir: ROOT, timeoutMs: 1000 });
    expect(t.status).toBe('invalid');
  });

  it('reports a directory without Python source as an invalid target, never a pass', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'strisk-app-'));
    writeFileSync(join(empty, 'README.md'), '# not an app\n');
    const t = await collect({ url: empty }, { projectDir: empty, timeoutMs: 1000 });
    expect(t.status).toBe('invalid');
    expect(t.message).toMatch(/no Python file/);
  });

  it('resolves helpers transitively and pyproject dependencies', async () => {
    const facts = await collectApp(resolve(ROOT, 'fixtures/app/bad'));
    const call = facts.routes[0]!.calls.find((c) => c.qualified === 'requests.get')!;
    expect(call.via).toEqual(['fetch_peers']);
    expect(facts.imports.find((i) => i.name === 'GZIPMiddleware')).toBeTruthy();
    expect(facts.servers[0]).toMatchObject({ workers: 16, options: { '--loop': 'asyncio', '--http': 'h2' } });
  });
});

describe('app collector on what real code bases do', () => {
  it('follows async Depends() and middleware, resolves **kwargs, Config() and parameters, one stack per app', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-app-real-'));
    mkdirSync(join(dir, 'svc'));
    writeFileSync(join(dir, 'svc', '__init__.py'), '');
    writeFileSync(
      join(dir, 'svc', 'config.py'),
      'from starlette.config import Config\nconfig = Config(".env")\nPOOL_SIZE = config("POOL_SIZE", cast=int, default=20)\nECHO = config("ECHO", cast=bool, default=False)\n',
    );
    writeFileSync(
      join(dir, 'svc', 'db.py'),
      [
        'from sqlalchemy import create_engine',
        'from svc import config',
        'def make_engine(url, echo=True):',
        '    opts = {"pool_size": config.POOL_SIZE}',
        '    return create_engine(url, echo=echo, **opts)',
        'engine = make_engine("postgresql://db/app", echo=config.ECHO)',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'svc', 'main.py'),
      [
        'import time',
        'from fastapi import Depends, FastAPI',
        'from starlette.middleware.base import BaseHTTPMiddleware',
        'from sqlmodel import Session',
        'from svc.db import engine',
        'app = FastAPI()',
        'admin = FastAPI()',
        'async def current_user():',
        '    time.sleep(1)',
        'def sync_dep():',
        '    time.sleep(1)',
        'class Timing(BaseHTTPMiddleware):',
        '    async def dispatch(self, request, call_next):',
        '        with Session(engine) as s:',
        '            pass',
        '        return await call_next(request)',
        'app.add_middleware(Timing)',
        'admin.add_middleware(Timing)',
        '@app.get("/me")',
        'async def me(user=Depends(current_user), other=Depends(sync_dep)):',
        '    return {}',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'requirements.txt'), 'fastapi[standard]\nsqlmodel\n');
    const facts = await collectApp(join(dir, 'svc'), { projectDir: dir });
    const engine = facts.calls.find((c) => c.qualified === 'sqlalchemy.create_engine')!;
    expect(engine.args.pool_size).toMatchObject({
      value: 20,
      env: 'POOL_SIZE',
      from: { file: 'svc/config.py', line: 3 },
    });
    expect(engine.args.echo).toMatchObject({ value: false, env: 'ECHO' });
    const me = facts.routes.find((r) => r.path === '/me')!;
    // The async dependency runs on the event loop; the sync one in the thread pool is not followed.
    expect(me.calls).toEqual([
      expect.objectContaining({ qualified: 'time.sleep', line: 9, via: ['Depends(current_user)'] }),
    ]);
    expect(facts.middleware.map((m) => m.app)).toEqual(['app', 'admin']);
    expect(facts.middleware[0]!.calls).toEqual([
      expect.objectContaining({ qualified: 'sqlmodel.Session', line: 14 }),
    ]);
    const result = runCheck(blocking, await appFacts(dir));
    expect(result.status).toBe('fail');
    expect(result.evidence.map((e) => e.subject)).toEqual(
      expect.arrayContaining(['svc/main.py:9', 'svc/main.py:14']),
    );
  });

  it('follows Depends() inside Annotated, written in the signature or as a type alias from another module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-app-annotated-'));
    mkdirSync(join(dir, 'svc'));
    writeFileSync(join(dir, 'svc', '__init__.py'), '');
    writeFileSync(
      join(dir, 'svc', 'deps.py'),
      [
        'import time',
        'from typing import Annotated',
        'from fastapi import Depends',
        'import requests',
        'async def get_user():',
        '    time.sleep(1)',
        'async def get_peers():',
        '    return requests.get("http://peers")',
        'def sync_session():',
        '    time.sleep(1)',
        'UserDep = Annotated[dict, Depends(get_user)]',
        'SessionDep = Annotated[dict, Depends(sync_session)]',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'svc', 'main.py'),
      [
        'from typing import Annotated',
        'from fastapi import Depends, FastAPI',
        'from svc.deps import UserDep, SessionDep, get_peers',
        'app = FastAPI()',
        '@app.get("/me")',
        'async def me(user: UserDep, session: SessionDep):',
        '    return {}',
        '@app.get("/peers")',
        'async def peers(p: Annotated[list, Depends(get_peers)]):',
        '    return p',
        '',
      ].join('\n'),
    );
    const facts = await collectApp(join(dir, 'svc'), { projectDir: dir });
    const me = facts.routes.find((r) => r.path === '/me')!;
    // The async dependency behind the alias is followed; the sync one runs in the thread pool.
    expect(me.calls).toEqual([
      expect.objectContaining({
        qualified: 'time.sleep',
        file: 'svc/deps.py',
        line: 6,
        via: ['Depends(get_user)'],
      }),
    ]);
    const peers = facts.routes.find((r) => r.path === '/peers')!;
    expect(peers.calls).toEqual([
      expect.objectContaining({ qualified: 'requests.get', line: 8, via: ['Depends(get_peers)'] }),
    ]);
    const result = runCheck(blocking, await appFacts(dir));
    expect(result.status).toBe('fail');
    expect(result.evidence.map((e) => e.subject)).toEqual(
      expect.arrayContaining(['svc/deps.py:6', 'svc/deps.py:8']),
    );
  });

  it('reads keys set on a kwargs dict before create_engine(**kwargs), the last one winning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-app-kwargs-'));
    mkdirSync(join(dir, 'svc'));
    writeFileSync(join(dir, 'svc', '__init__.py'), '');
    writeFileSync(
      join(dir, 'svc', 'db.py'),
      [
        'import os',
        'from sqlalchemy import create_engine',
        'POOL = int(os.environ.get("POOL", "15"))',
        'def make_engine(url):',
        '    kwargs = {"pool_size": 5, "echo": False}',
        '    kwargs["pool_size"] = POOL',
        '    kwargs["max_overflow"] = 0',
        '    if url.startswith("sqlite"):',
        '        kwargs["pool_size"] = 1',
        '    return create_engine(url, **kwargs)',
        'def other(url):',
        '    kwargs = {}',
        '    kwargs["pool_size"] = 3',
        '    kwargs = {"pool_size": 7}',
        '    return create_engine(url, **kwargs)',
        '',
      ].join('\n'),
    );
    const facts = await collectApp(join(dir, 'svc'), { projectDir: dir });
    const engines = facts.calls.filter((c) => c.qualified === 'sqlalchemy.create_engine');
    expect(engines).toHaveLength(2);
    // Set unconditionally in the body: read; set under an `if`: not a value the engine always gets.
    expect(engines[0]!.args.pool_size).toMatchObject({ text: 'POOL', value: 15, env: 'POOL' });
    expect(engines[0]!.args.max_overflow).toMatchObject({ value: 0 });
    expect(engines[0]!.args.echo).toMatchObject({ value: false });
    // A reassignment of the dict forgets the keys set before it.
    expect(engines[1]!.args.pool_size).toMatchObject({ value: 7 });
  });

  it('reads settings fields under the class env_prefix (model_config or an inner Config)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-app-prefix-'));
    mkdirSync(join(dir, 'svc'));
    writeFileSync(join(dir, 'svc', '__init__.py'), '');
    writeFileSync(
      join(dir, 'svc', 'config.py'),
      [
        'from pydantic_settings import BaseSettings, SettingsConfigDict',
        'class Settings(BaseSettings):',
        '    model_config = SettingsConfigDict(env_prefix="APP_", env_file=".env")',
        '    pool_size: int = 5',
        'class Legacy(BaseSettings):',
        '    echo: bool = False',
        '    class Config:',
        '        env_prefix = "legacy_"',
        'class Plain(BaseSettings):',
        '    timeout: int = 30',
        'settings = Settings()',
        'legacy = Legacy()',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'svc', 'db.py'),
      [
        'from sqlalchemy import create_engine',
        'from svc.config import settings, legacy',
        'engine = create_engine("postgresql://db/app", pool_size=settings.pool_size, echo=legacy.echo)',
        '',
      ].join('\n'),
    );
    const facts = await collectApp(join(dir, 'svc'), { projectDir: dir });
    const engine = facts.calls.find((c) => c.qualified === 'sqlalchemy.create_engine')!;
    expect(engine.args.pool_size).toMatchObject({ value: 5, env: 'APP_POOL_SIZE' });
    expect(engine.args.echo).toMatchObject({ value: false, env: 'LEGACY_ECHO' });
    const envs = facts.settings.map((x) => x.env);
    expect(envs).toEqual(expect.arrayContaining(['APP_POOL_SIZE', 'LEGACY_ECHO', 'TIMEOUT']));
    expect(envs).not.toContain('POOL_SIZE');
  });

  it('reads uvicorn.run() options from the defaults of the click or typer command that wraps it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-app-cli-'));
    mkdirSync(join(dir, 'svc'));
    writeFileSync(join(dir, 'svc', '__init__.py'), '');
    writeFileSync(join(dir, 'svc', 'main.py'), 'from fastapi import FastAPI\napp = FastAPI()\n');
    writeFileSync(
      join(dir, 'svc', 'cli.py'),
      [
        'import click',
        'import uvicorn',
        '@click.command()',
        '@click.option("--host", default="0.0.0.0")',
        '@click.option("--workers", "-w", default=4, type=int)',
        'def serve(host, workers):',
        '    uvicorn.run("svc.main:app", host=host, workers=workers)',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'svc', 'tcli.py'),
      [
        'import typer',
        'import uvicorn',
        'cli = typer.Typer()',
        '@cli.command()',
        'def run(workers: int = typer.Option(3, "--workers"), loop: str = typer.Option(default="uvloop")):',
        '    uvicorn.run("svc.main:app", workers=workers, loop=loop)',
        '',
      ].join('\n'),
    );
    const facts = await collectApp(join(dir, 'svc'), { projectDir: dir });
    const runs = facts.servers.filter((s) => s.source === 'python');
    expect(runs).toEqual([
      expect.objectContaining({
        file: 'svc/cli.py',
        line: 7,
        workers: 4,
        options: expect.objectContaining({ '--host': '0.0.0.0', '--workers': '4' }),
      }),
      expect.objectContaining({
        file: 'svc/tcli.py',
        line: 6,
        workers: 3,
        options: expect.objectContaining({ '--loop': 'uvloop' }),
      }),
    ]);
  });
});
