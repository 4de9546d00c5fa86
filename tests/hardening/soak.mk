# tests/hardening/soak.mk — attempts under a tracer that attaches and detaches.
#
# Owns: hardening-soak-short (4,000 attempts at -j 32, in CHECKS) and soak
# (SOAK_STRESS x 1,000 attempts, default 10^5; not in CHECKS).  Both run
# soak.py, which prints its counts and a final `N passed, N failed`.
# Included after hardening.mk.

SOAK_STRESS ?= 100

.PHONY: hardening-soak-short soak
CHECKS += hardening-soak-short

hardening-soak-short: $(LIB) $(HARD_SIM) e2e-fixtures
	$(HARD_PY) $(HARD_SRC)/soak.py --lib $(LIB) --sim $(HARD_SIM) --out $(HARD_DIR)/soak-short \
	    --stress-count 4 -j 32

soak: $(LIB) $(HARD_SIM) e2e-fixtures
	$(HARD_PY) $(HARD_SRC)/soak.py --lib $(LIB) --sim $(HARD_SIM) --out $(HARD_DIR)/soak \
	    --stress-count $(SOAK_STRESS) -j 32
