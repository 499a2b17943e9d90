# The first example of the cs231n notes ("Backpropagation, Intuitions", section "Simple
# expressions"): f = (x + y) z, its forward pass and the backward pass as the notes write it.
x = -2; y = 5; z = -4
q = x + y
f = q * z
dfdz = q
dfdq = z
dqdx = 1.0
dqdy = 1.0
dfdx = dfdq * dqdx
dfdy = dfdq * dqdy
