"""The reconcile job: read the live hosts and devices (discovery) for ``opsbook inventory reconcile``.

The register (:mod:`opsbook.register`) is data and runs nothing: it compares declared and
discovered values (:mod:`opsbook.register.reconcile`) and writes the register back
(:mod:`opsbook.register.writeback`). Reading the hosts — a playbook through the runner for Linux
hosts, netmiko for network devices — is this job's.
"""
