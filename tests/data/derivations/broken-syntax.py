# Unreadable: a syntax error on line 5.
x = -2; y = 5; z = -4
q = x + y
f = q * z
dfdq = z *
