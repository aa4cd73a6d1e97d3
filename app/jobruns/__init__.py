"""What the jobs process last did: each job's last success and last failure, for admins and
for the /healthz/jobs check."""
