"""Flow 1: commerce transactions (orders, invoices, credit notes, payments) into records."""
