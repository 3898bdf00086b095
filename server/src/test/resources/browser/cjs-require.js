// CommonJS require() for pages that load npm packages meant for a bundler (ivs-player.html,
// glass.html): loads a package and its dependencies module by module from /node_modules/ with
// synchronous requests. window.cjsRequire(name) returns the package's exports.
(() => {
  window.process = {env: {NODE_ENV: 'production'}};
  window.global = window;
  const modules = {};
  const fetchText = path => {
    const x = new XMLHttpRequest();
    x.open('GET', path, false);
    x.send();
    return x.status === 200 ? x.responseText : null;
  };
  const dirOf = path => path.substring(0, path.lastIndexOf('/'));
  const normalize = path => {
    const out = [];
    for (const part of path.split('/')) {
      if (part === '..') out.pop(); else if (part !== '.' && part !== '') out.push(part);
    }
    return '/' + out.join('/');
  };
  // Node's resolution, reduced to what the package and its dependencies use: file, file.js,
  // dir/package.json's main, dir/index.js.
  const resolve = (from, name) => {
    const base = name.startsWith('.') ? normalize(dirOf(from) + '/' + name) : '/node_modules/' + name;
    for (const candidate of [base, base + '.js']) {
      if (candidate.endsWith('.js') && fetchText(candidate) !== null) return candidate;
    }
    const pkg = fetchText(base + '/package.json');
    if (pkg !== null) {
      const main = JSON.parse(pkg).main;
      if (main) {
        const m = normalize(base + '/' + main);
        return m.endsWith('.js') ? m : m + '.js';
      }
    }
    return base + '/index.js';
  };
  const load = path => {
    if (modules[path]) return modules[path].exports;
    const module = {exports: {}};
    modules[path] = module;
    const source = fetchText(path);
    if (source === null) throw new Error('module not found: ' + path);
    const fn = new Function('module', 'exports', 'require', source + '\n//# sourceURL=' + path);
    fn(module, module.exports, name => load(resolve(path, name)));
    return module.exports;
  };

  window.cjsRequire = name => load(resolve('/', name));
})();
