// Package managers a Dockerfile installs dependencies with: their manifests (by path) and the
// commands that install or fetch. Pure data and matching, for dockerfile/layer-order.

export type EcosystemName =
  | 'node'
  | 'python'
  | 'go'
  | 'maven'
  | 'gradle'
  | 'cargo'
  | 'bundler'
  | 'composer'
  | 'mix';

export interface Ecosystem {
  name: EcosystemName;
  label: string;
  /** Manifest paths: globs; without a `/` they match the file name at any depth. */
  manifests: string[];
  /** Where installed dependencies live, for `COPY --from=<stage>` of them. */
  installedDeps: RegExp;
}

export const ECOSYSTEMS: Ecosystem[] = [
  {
    name: 'node',
    label: 'npm/yarn/pnpm/bun',
    manifests: [
      'package.json',
      'package-lock.json',
      'npm-shrinkwrap.json',
      'yarn.lock',
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'bun.lockb',
      'bun.lock',
      '.npmrc',
      '.yarnrc',
      '.yarnrc.yml',
      '.yarn',
      '.yarn/**',
      '.pnpmfile.cjs',
      'patches',
      'patches/**',
    ],
    installedDeps: /(^|\/)node_modules(\/|$)/,
  },
  {
    name: 'python',
    label: 'pip/uv/poetry/pipenv',
    manifests: [
      'requirements*.txt',
      'requirements*.in',
      'requirements',
      'requirements/**',
      'constraints*.txt',
      'pyproject.toml',
      'poetry.lock',
      'poetry.toml',
      'uv.lock',
      'Pipfile',
      'Pipfile.lock',
      'pdm.lock',
      'setup.py',
      'setup.cfg',
      '.python-version',
    ],
    installedDeps:
      /(^|\/)(\.venv|venv|site-packages|dist-packages|wheels|wheelhouse)(\/|$)|\.whl$|^\/install\/?$/,
  },
  {
    name: 'go',
    label: 'go mod',
    manifests: ['go.mod', 'go.sum', 'go.work', 'go.work.sum'],
    installedDeps: /(^|\/)pkg\/mod(\/|$)|(^|\/)vendor\/?$/,
  },
  {
    name: 'maven',
    label: 'maven',
    manifests: ['pom.xml', '.mvn', '.mvn/**', 'mvnw', 'mvnw.cmd', 'settings.xml'],
    installedDeps: /(^|\/)\.m2(\/|$)/,
  },
  {
    name: 'gradle',
    label: 'gradle',
    manifests: [
      'build.gradle',
      'build.gradle.kts',
      'settings.gradle',
      'settings.gradle.kts',
      'gradle.properties',
      'gradlew',
      'gradlew.bat',
      'gradle',
      'gradle/**',
      '*.versions.toml',
      // Build logic (convention plugins) rather than application source.
      'buildSrc',
      'buildSrc/**',
    ],
    installedDeps: /(^|\/)\.gradle(\/|$)/,
  },
  {
    name: 'cargo',
    label: 'cargo',
    manifests: [
      'Cargo.toml',
      'Cargo.lock',
      '.cargo',
      '.cargo/**',
      'recipe.json',
      'rust-toolchain',
      'rust-toolchain.toml',
    ],
    installedDeps: /(^|\/)(\.cargo\/registry|cargo\/registry)(\/|$)/,
  },
  {
    name: 'bundler',
    label: 'bundler',
    manifests: [
      'Gemfile',
      'Gemfile.lock',
      'gems.rb',
      'gems.locked',
      '*.gemspec',
      '.ruby-version',
      '.bundle',
      '.bundle/**',
      'lib/**/version.rb',
    ],
    installedDeps: /(^|\/)(vendor\/bundle|bundle|gems)(\/|$)/,
  },
  {
    name: 'composer',
    label: 'composer',
    manifests: ['composer.json', 'composer.lock', 'auth.json'],
    installedDeps: /(^|\/)vendor\/?$/,
  },
  {
    // Elixir: `mix deps.get` reads mix.exs, mix.lock and the config files mix.exs imports.
    name: 'mix',
    label: 'mix',
    manifests: ['mix.exs', 'mix.lock', 'config/*.exs', '.tool-versions'],
    installedDeps: /(^|\/)deps\/?$/,
  },
];

const ALL_MANIFESTS = ECOSYSTEMS.flatMap((e) => e.manifests);

function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k] as string;
    if (c === '*' && pattern[k + 1] === '*') {
      re += '.*';
      k++;
      if (pattern[k + 1] === '/') k++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

/** `./a//b/` -> `a/b`; `.` and `./` stay `.`. */
export function normaliseSource(p: string): string {
  const parts = p.split('/').filter((x) => x !== '' && x !== '.');
  return parts.length === 0 ? '.' : parts.join('/');
}

const hasGlob = (p: string) => /[*?[]/.test(p);

/**
 * Whether a path matches a pattern: by the whole path when the pattern has a `/`, else by the name
 * or a directory on the way (`requirements/default.txt` matches `requirements/**`, `api/package.json`
 * matches `package.json`).
 */
function matchesPattern(path: string, pattern: string): boolean {
  const re = globRegExp(pattern);
  if (pattern.includes('/')) {
    const parts = path.split('/');
    // Anchored at any directory: `services/api/requirements/base.txt` matches `requirements/**`.
    return parts.some((_, k) => re.test(parts.slice(k).join('/')));
  }
  return re.test(path.split('/').at(-1) ?? path);
}

/** Concrete names that stand for what a glob source (`package*.json`) may bring. */
const MANIFEST_SAMPLES = [
  ...ALL_MANIFESTS.filter((m) => !hasGlob(m) && !m.includes('/')),
  'requirements-dev.txt',
  'requirements.in',
  'app.gemspec',
];
const CODE_SAMPLES = [
  'main.py',
  'app.py',
  'index.js',
  'server.ts',
  'main.go',
  'main.rs',
  'App.java',
  'app.rb',
  'index.php',
];

/**
 * Whether a copied path (literal or glob) is a Node workspace package of the build context, or inside
 * one: `lib/opal/` for the workspace glob `lib/*`. `bun/npm/yarn/pnpm install` links and builds those
 * packages, so they are inputs of the install, as manifests are. Negated globs (`!lib/x`) are skipped.
 */
export function isWorkspacePackage(source: string, workspaces: readonly string[]): boolean {
  const path = normaliseSource(source);
  if (path === '.') return false;
  const parts = path.split('/');
  return workspaces
    .filter((w) => !w.startsWith('!'))
    .map((w) => normaliseSource(w))
    .filter((w) => w !== '.')
    .some((w) => {
      const re = globRegExp(w);
      return parts.some((_, k) => re.test(parts.slice(0, k + 1).join('/')));
    });
}

/** A copied path (literal or glob) that is a dependency manifest or tool config of a package manager. */
export function isManifestOrConfig(source: string, extra: readonly string[] = []): boolean {
  const path = normaliseSource(source);
  if (path === '.') return false;
  const patterns = [...ALL_MANIFESTS, ...extra];
  if (patterns.some((p) => matchesPattern(path, p))) return true;
  if (!hasGlob(path)) return false;
  // `package*.json`, `requirements*.txt`, `go.*`: a glob that brings manifests and no code.
  const name = path.split('/').at(-1) ?? path;
  const re = globRegExp(name);
  return !CODE_SAMPLES.some((c) => re.test(c)) && MANIFEST_SAMPLES.some((m) => re.test(m));
}

/** A copied path that is already-built or vendored dependencies: wheels, a wheelhouse, vendor/. */
export function isDependencyArtefact(source: string): boolean {
  const path = normaliseSource(source);
  return /(^|\/)(wheels?|wheelhouse|dist|vendor)(\/|$)|\.(whl|tar\.gz|zip|jar)$/i.test(path);
}

const CODE_EXTENSION =
  /\.(py|pyi|js|mjs|cjs|jsx|ts|tsx|go|rs|java|kt|kts|scala|groovy|rb|php|ex|exs|cs|c|cc|cpp|h|hpp|swift|vue|svelte)$/i;

/**
 * Whether a copied path brings application source: the whole context (`.`, `*`), a directory (a
 * name without an extension) or a code file. Single config files (`nginx.conf`, `entrypoint.sh`)
 * rarely change and are not taken for the source.
 */
export function isSourceCode(source: string): boolean {
  const path = normaliseSource(source);
  if (path === '.' || /^\*+$/.test(path)) return true;
  const name = path.split('/').at(-1) ?? path;
  if (CODE_EXTENSION.test(name)) return true;
  if (hasGlob(name)) return /^\*+$/.test(name);
  return !/\.[A-Za-z0-9]+$/.test(name) && !name.startsWith('.');
}

const positional = (args: string[]) => args.filter((a) => !a.startsWith('-'));

/** Python packages that are the installers themselves: installing them is bootstrapping. */
const PYTHON_TOOLS = new Set([
  'pip',
  'setuptools',
  'wheel',
  'uv',
  'poetry',
  'pipenv',
  'pdm',
  'virtualenv',
  'poetry-plugin-export',
]);
const MAVEN_FETCH =
  /^(dependency:(go-offline|resolve|resolve-plugins|copy-dependencies)|de\.qaware\.maven:go-offline-maven-plugin:resolve-dependencies)$/;
const GRADLE_FETCH = new Set([
  'dependencies',
  'resolveDependencies',
  'downloadDependencies',
  'dependencyInsight',
]);

/** Flags whose value is a directory, before the subcommand (`npm --prefix assets ci`). */
const DIR_FLAGS = new Set(['--prefix', '-C', '--dir', '--cwd', '--manifest-path']);

/**
 * What a command does for an ecosystem: `install` fetches or installs the dependencies (`npm ci`,
 * `go mod download`, `mvn dependency:go-offline`); `build` builds and fetches what is missing as a
 * side effect (`go build`, `cargo build`, `mvn package`); undefined: neither.
 */
export function classifyCommand(
  eco: Ecosystem,
  program: string,
  rest: string[],
): 'install' | 'build' | undefined {
  // `npm --prefix assets ci`, `pnpm -C web install`: the directory given to the flag is no subcommand.
  const args = positional(rest.filter((_, k) => !DIR_FLAGS.has(rest[k - 1] ?? '')));
  const [sub] = args;
  switch (eco.name) {
    case 'node': {
      const global = rest.some((t) => t === '-g' || t === '--global');
      if (program === 'npm')
        return !global && ['ci', 'install', 'i', 'add'].includes(sub ?? '') ? 'install' : undefined;
      if (program === 'yarn') {
        if (sub === 'global') return undefined;
        return sub === undefined ||
          sub === 'install' ||
          sub === 'add' ||
          (sub === 'workspaces' && args[1] === 'focus')
          ? 'install'
          : undefined;
      }
      if (program === 'pnpm')
        return !global && ['install', 'i', 'fetch', 'add'].includes(sub ?? '') ? 'install' : undefined;
      if (program === 'bun')
        return !global && ['install', 'i', 'add'].includes(sub ?? '') ? 'install' : undefined;
      return undefined;
    }
    case 'python': {
      if (program === 'pip' && (sub === 'install' || sub === 'wheel' || sub === 'download')) {
        const fromFile = rest.some((t) => /^(-r|-c|-e|--requirement|--constraint|--editable)(=|$)/.test(t));
        const named = args
          .slice(1)
          .filter((t) => !PYTHON_TOOLS.has(t.split(/[<>=!~[]/)[0]?.toLowerCase() ?? ''));
        return fromFile || named.length > 0 ? 'install' : undefined;
      }
      if (program === 'uv') {
        if (sub === 'sync') return 'install';
        if (sub === 'pip' && (args[1] === 'install' || args[1] === 'sync')) {
          const named = args
            .slice(2)
            .filter((t) => !PYTHON_TOOLS.has(t.split(/[<>=!~[]/)[0]?.toLowerCase() ?? ''));
          const fromFile = rest.some((t) => /^(-r|--requirement|-e|--editable)(=|$)/.test(t));
          return fromFile || named.length > 0 ? 'install' : undefined;
        }
        return undefined;
      }
      if (['poetry', 'pdm', 'pipenv'].includes(program))
        return sub === 'install' || sub === 'sync' ? 'install' : undefined;
      return undefined;
    }
    case 'go': {
      if (program !== 'go') return undefined;
      if (sub === 'mod' && args[1] === 'download') return 'install';
      if (sub === 'get') return 'install';
      // `go install tool@version` installs a tool, not the module's dependencies.
      if (sub === 'install' && args.slice(1).some((a) => a.includes('@'))) return undefined;
      return sub === 'build' || sub === 'install' || sub === 'test' || sub === 'generate'
        ? 'build'
        : undefined;
    }
    case 'maven': {
      if (program !== 'mvn' && program !== 'mvnw') return undefined;
      if (rest.some((t) => t === '-v' || t === '--version' || t === '-version')) return undefined;
      if (args.some((a) => MAVEN_FETCH.test(a))) return 'install';
      return args.length > 0 ? 'build' : undefined;
    }
    case 'gradle': {
      if (program !== 'gradle' && program !== 'gradlew') return undefined;
      if (rest.some((t) => t === '-v' || t === '--version')) return undefined;
      if (args.some((a) => GRADLE_FETCH.has(a)) || rest.includes('--refresh-dependencies')) return 'install';
      return args.length > 0 ? 'build' : undefined;
    }
    case 'cargo': {
      if (program !== 'cargo') return undefined;
      if (sub === 'fetch' || (sub === 'chef' && args[1] === 'cook') || sub === 'vendor') return 'install';
      // `cargo install cargo-chef` installs a tool; `cargo install --path .` builds the project.
      if (sub === 'install') return rest.includes('--path') ? 'build' : undefined;
      // `cargo rustc` (what Rustler runs for Elixir NIFs) builds as `cargo build` does.
      return sub === 'build' || sub === 'test' || sub === 'rustc' ? 'build' : undefined;
    }
    case 'bundler': {
      if (program !== 'bundle' && program !== 'bundler') return undefined;
      return sub === undefined || sub === 'install' ? 'install' : undefined;
    }
    case 'mix': {
      if (program !== 'mix') return undefined;
      // `mix deps.get`, `mix do deps.get, deps.compile`, `mix do local.hex --force + deps.get + …`.
      const tasks = rest.flatMap((t) => t.split(',')).filter((t) => t !== '' && t !== '+');
      if (tasks.includes('deps.get')) return 'install';
      return tasks.some((t) =>
        ['compile', 'release', 'deps.compile', 'phx.digest', 'assets.deploy'].includes(t),
      )
        ? 'build'
        : undefined;
    }
    case 'composer': {
      if (program !== 'composer' && program !== 'composer.phar') return undefined;
      return ['install', 'update', 'require'].includes(sub ?? '') ? 'install' : undefined;
    }
  }
}
