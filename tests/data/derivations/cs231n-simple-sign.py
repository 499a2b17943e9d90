# cs231n-simple.py with a sign error in a local gradient of the + gate (line 9).
x = -2; y = 5; z = -4
q = x + y
f = q * z
dfdz = q
dfdq = z
dqdx = 1.0
dqdy = -1.0
dfdx = dfdq * dqdx
dfdy = dfdq * dqdy
