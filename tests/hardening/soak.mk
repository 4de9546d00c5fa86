# tests/hardening/soak.mk — attempts under a tracer that attaches and detaches.
#
# Owns: hardening-soak-short (4,000 attempts at -j 32, in CHECKS) and soak
# (SOAK_STRESS x 1,000 attempts, default 10^5; not in CHECKS).  Both run
# test_soak.py (pytest; the soak itself is soak.py), which prints its counts.
# Included after hardening.mk.

SOAK_STRESS ?= 100

.PHONY: hardening-soak-short soak
CHECKS += hardening-soak-short

hardening-soak-short: $(LIB) $(HARD_SIM) sim-build-cache
	$(PYTEST) $(HARD_SRC)/test_soak.py $(PYTEST_ARGS) --lib $(LIB) --sim $(HARD_SIM) \
	    --out $(HARD_DIR)/soak-short --stress-count 4 --jobs 32

soak: $(LIB) $(HARD_SIM) sim-build-cache
	$(PYTEST) $(HARD_SRC)/test_soak.py $(PYTEST_ARGS) --lib $(LIB) --sim $(HARD_SIM) \
	    --out $(HARD_DIR)/soak --stress-count $(SOAK_STRESS) --jobs 32
