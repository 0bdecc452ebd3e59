# novakms developer entry points. Two commands do all set-up on a fresh machine:
#   make devnet   start a local cluster (anvil + contracts + NODES nodes) in $(DEVNET_DIR)
#                 (TLS=1: https only, `novakms devnet up --tls`;
#                  ODYN=K: the last K nodes on Odyn identity, `--odyn-nodes K`)
#   make test     run the whole test suite (unit, integration on a real anvil)

CARGO      ?= cargo
NPM        ?= npm
DEVNET_DIR ?= .devnet
NODES      ?= 3
ODYN       ?=
ANVIL      := tools/devchain/node_modules/.bin/anvil

.PHONY: all build devchain devnet devnet-down test lint fmt contracts check-contracts docs clean

all: build

build:
	$(CARGO) build

# npm packages for the local chain (anvil, solc-js), pinned by package.json (exact
# versions) and package-lock.json. `npm install --no-save`, not `npm ci`: the registry
# mirror lacks the other platforms' optional anvil packages, which `npm ci` insists on, and
# `--no-save` leaves the committed lockfile untouched (a fresh clone stays clean). The
# installed versions are then checked against package.json: a mismatch fails the build.
devchain: $(ANVIL)

$(ANVIL): tools/devchain/package.json tools/devchain/package-lock.json
	@command -v $(NPM) >/dev/null || { echo "npm not found: install Node.js (apt-get install -y nodejs npm)"; exit 1; }
	$(NPM) --prefix tools/devchain install --no-audit --no-fund --no-save
	@cd tools/devchain && node -e 'const p=require("./package.json").dependencies; for (const [n,v] of Object.entries(p)) { const got=require("./node_modules/"+n+"/package.json").version; if (got!==v) { console.error("devchain: "+n+" "+got+" installed, "+v+" pinned"); process.exit(1); } }'
	@touch $@

devnet: devchain build
	./target/debug/novakms devnet up --nodes $(NODES) --dir $(DEVNET_DIR) $(if $(filter 1 yes true,$(TLS)),--tls) $(if $(ODYN),--odyn-nodes $(ODYN))

devnet-down:
	./target/debug/novakms devnet down --dir $(DEVNET_DIR)

# Doc tests first so the run closes on the integration suites' results.
test: devchain
	$(CARGO) test --doc
	$(CARGO) test --all-targets

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

fmt:
	$(CARGO) fmt --all

# Rebuild the committed contract artifacts / check they are current.
contracts: devchain
	$(NPM) --prefix tools/devchain run --silent build-contracts

check-contracts: devchain
	$(NPM) --prefix tools/devchain run --silent check-contracts

# Regenerate the committed shell completions and man pages.
docs: build
	rm -rf completions man
	./target/debug/novakms completions --out-dir completions
	./target/debug/novakms man --out-dir man

clean:
	$(CARGO) clean
	rm -rf tools/devchain/node_modules
