"""Network and security operations: backup with history, intended config, per-feature compliance,
remediation and safe push, for Cisco IOS and Huawei VRP devices. See docs/network.md.

Modules: :mod:`platforms` (what differs per platform), :mod:`inventory` (devices from Ansible),
:mod:`connect` (netmiko sessions, thread pool), :mod:`normalize`, :mod:`redact`, :mod:`backup`,
:mod:`render` (+ ``templates/``), :mod:`derive`, :mod:`compliance`, :mod:`remediation`,
:mod:`push`, :mod:`facts`.
"""
